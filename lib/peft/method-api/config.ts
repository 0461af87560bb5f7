import { type Architecture, resolveTargets } from '../arch';
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
      return resolveTargets(arch, value, defaults, h.label);
    }
  }
}

/** The config the toy playground and benchmark start from: the method's toy values over its defaults. */
export function toyConfig<C extends MethodConfig>(method: Pick<PeftMethod<C>, 'name' | 'hyperparams' | 'toyConfig'>, arch: Architecture): C {
  return resolveConfig(method, arch, method.toyConfig ?? {});
}
