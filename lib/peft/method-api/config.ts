import { type Architecture, linearPaths, resolveTargets } from '../arch';
import { quoteValue } from '../input';
import { OUTSIDE_WORDS, outsideModuleOf } from './outside';
import { formatPattern, parsePattern } from './pattern';
import type { HyperParam, HyperValue, MethodConfig, PeftMethod } from './types';

/**
 * Fills a method's defaults and checks every value against its hyperparameter's range, so the
 * calculators, the CLI and the playground reject the same impossible settings with the same
 * message.
 */
export function resolveConfig<C extends MethodConfig>(
  method: Pick<PeftMethod<C>, 'name' | 'hyperparams'>,
  arch: Architecture,
  input: Readonly<Record<string, HyperValue | undefined>> = {},
): C {
  const known = new Set(method.hyperparams.map((h) => h.key));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new RangeError(`${method.name} has no hyperparameter "${key}"`);
  }
  const config: Record<string, HyperValue> = {};
  for (const h of method.hyperparams) config[h.key] = resolveOne(h, arch, input[h.key]);
  for (const h of method.hyperparams) if (h.kind === 'pattern') checkPatternKeys(h, arch, config);
  // The config is built from the method's own hyperparameter list, which is what C describes.
  return config as C;
}

function resolveOne(h: HyperParam, arch: Architecture, value: HyperValue | undefined): HyperValue {
  switch (h.kind) {
    case 'int':
    case 'number': {
      const v = value ?? h.default;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${h.label} must be a number`);
      if (h.kind === 'int' && !Number.isInteger(v)) throw new RangeError(`${h.label} must be a whole number`);
      if (v < h.min || v > h.max) throw new RangeError(`${h.label} must be between ${h.min} and ${h.max}`);
      return v;
    }
    case 'choice': {
      const v = value ?? h.default;
      if (typeof v !== 'string' || !h.options.some((o) => o.value === v)) {
        throw new RangeError(`${h.label} must be one of ${h.options.map((o) => o.value).join(', ')}`);
      }
      return v;
    }
    case 'modules': {
      if (typeof value === 'number') throw new RangeError(`${h.label} must be module names`);
      const defaults = { roles: h.defaultRoles, ...(h.fallbackRoles ? { fallbackRoles: h.fallbackRoles } : {}), ...(h.byFamily ? { byFamily: h.byFamily } : {}) };
      if (value === undefined) return resolveTargets(arch, value, defaults, h.label);
      const list = (typeof value === 'string' ? value.split(',') : [...value]).map((t) => t.trim()).filter(Boolean);
      // The embedding and the LM head are checked here; every other name as a linear map of the blocks.
      const outside = new Set<string>();
      for (const t of list) {
        const which = outsideModuleOf(arch, t);
        if (!which) continue;
        if (!h.outside?.includes(which)) throw new RangeError(`${h.label} cannot include ${OUTSIDE_WORDS[which]} ${quoteValue(t)}: only linear maps of the blocks`);
        outside.add(t);
      }
      const inner = list.filter((t) => !outside.has(t));
      const resolved = inner.length > 0 || outside.size === 0 ? resolveTargets(arch, inner, defaults, h.label) : [];
      return [...new Set(list.filter((t) => outside.has(t) || resolved.includes(t)))];
    }
    case 'pattern': {
      const v = value ?? h.default;
      if (typeof v !== 'string') throw new RangeError(`${h.label} must be text such as q_proj=16,v_proj=4`);
      return formatPattern(parsePattern(h, v));
    }
  }
}

/**
 * Every key of a pattern must select at least one module the method targets. HF PEFT ignores a
 * key that matches nothing; here it is refused, as it is most often a typo. Keys are matched
 * against module paths inside a block (and the embedding's and LM head's names), so a key that
 * names one layer (`layers.0.self_attn.q_proj`) is refused too: its count is not computed here.
 */
function checkPatternKeys(h: Extract<HyperParam, { kind: 'pattern' }>, arch: Architecture, config: Record<string, HyperValue>): void {
  const targets = config[h.targets];
  if (!Array.isArray(targets)) throw new Error(`${h.label} refers to "${h.targets}", which is not a list of modules`);
  const names = [
    ...linearPaths(arch).filter((p) => arch.stacks.some((s) => s.linears.some((l) => l.path === p && targets.some((t: string) => l.path === t || l.path.endsWith(`.${t}`))))),
    ...targets.filter((t: string) => outsideModuleOf(arch, t) !== null),
  ];
  for (const e of parsePattern(h, config[h.key] as string)) {
    if (!names.some((n) => e.regex.test(n))) {
      throw new RangeError(`${h.label} key ${quoteValue(e.key)} matches none of the targeted modules (${names.join(', ')}), as paths inside a block`);
    }
  }
}

/** The sentence saying why `method` trains nothing on `arch` with `config`, or null when it trains
 * something: its own `notApplicable`, else, for a count of 0, a generic sentence. */
export function notApplicableReason<C extends MethodConfig>(method: Pick<PeftMethod<C>, 'name' | 'notApplicable' | 'trainableParams'>, arch: Architecture, config: C): string | null {
  const own = method.notApplicable?.(arch, config);
  if (own) return own;
  return method.trainableParams(arch, config) === 0 ? `${method.name} trains nothing on ${arch.name} with these settings.` : null;
}

/** Throws a RangeError with `notApplicableReason`'s sentence when the method trains nothing, so
 * no interface shows a count of 0 and a 0-byte checkpoint as if they were results. */
export function checkApplies<C extends MethodConfig>(method: Pick<PeftMethod<C>, 'name' | 'notApplicable' | 'trainableParams'>, arch: Architecture, config: C): void {
  const reason = notApplicableReason(method, arch, config);
  if (reason) throw new RangeError(reason);
}

/** The config the toy playground and benchmark start from: the method's toy values over its defaults. */
export function toyConfig<C extends MethodConfig>(method: Pick<PeftMethod<C>, 'name' | 'hyperparams' | 'toyConfig'>, arch: Architecture): C {
  return resolveConfig(method, arch, method.toyConfig ?? {});
}
