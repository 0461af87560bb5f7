import type * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../arch';
import type { ForwardContext, ModelHooks } from '../model/hooks';
import type { TF } from '../model/transformer';
import { withCounts } from './define';
import { applyOnLayers, checkLayers, restrictArchitecture, selectedShare } from './layer-subset';
import { type MethodProfile, profileTrainable, savedGroups } from './profile';
import type { Attachment } from './anatomy';
import type { AppliedMethod, HyperParam, HyperValue, LineageLink, MethodConfig, MethodTraits, PeftMethod, StepAction } from './types';

/** One method inside a composite, with its hyperparameters under `prefix.` */
export interface Part {
  prefix: string;
  method: PeftMethod;
  /** Values the composite fixes; these hyperparameters are not shown. */
  fixed?: Readonly<Record<string, HyperValue>>;
  /** Defaults of the composite where they differ from the part's own. */
  defaults?: Readonly<Record<string, number | string>>;
  /** The layers the part acts on (HF PEFT's `layers_to_transform`, AdapterHub's `leave_out`
   * inverted), numbered through the stacks in order, encoder first (see layer-subset.ts); every
   * layer when absent. Its count, anatomy and toy apply are those of the selected layers alone, and
   * a part with no layer selected takes no part at all. */
  layers?(arch: Architecture, config: MethodConfig): readonly number[];
  /** A few words on where a layer-restricted part acts, added to its anatomy notes ("groups 1–3"). */
  where?: string;
}

export interface CompositeSpec {
  id: string;
  name: string;
  parts: readonly Part[];
  toyLearningRate: number;
  /** Toy values of the namespaced hyperparameters (`adapter.bottleneck`), beyond the parts' own. */
  toyConfig?: Readonly<Record<string, HyperValue>>;
  /** What the composite builds on, as its paper says (usually its parts). */
  lineage: readonly LineageLink[];
}

const INFERENCE_ORDER: readonly MethodTraits['inference'][] = ['unchanged', 'mergeable', 'extra-modules', 'longer-input'];

/**
 * A method built from others (MAM = prefix tuning + a parallel adapter, UniPELT, S4): hooks
 * chained in part order, profiles summed, hyperparameters namespaced, lifecycles forwarded.
 */
export function compose(spec: CompositeSpec): PeftMethod {
  const { parts } = spec;
  const partConfig = (config: MethodConfig, part: Part): MethodConfig => {
    const own: Record<string, HyperValue> = { ...part.fixed };
    for (const h of part.method.hyperparams) {
      const v = config[`${part.prefix}.${h.key}`];
      if (v !== undefined && !(h.key in own)) own[h.key] = v;
    }
    return own;
  };
  const selection = (part: Part, arch: Architecture, config: MethodConfig): number[] | undefined => (part.layers ? checkLayers(arch, part.layers(arch, config)) : undefined);
  // The parts that act on `arch`, each with the architecture it sees (its selected layers alone).
  const acting = (arch: Architecture, config: MethodConfig) =>
    parts.flatMap((part, index) => {
      const layers = selection(part, arch, config);
      if (layers?.length === 0) return [];
      return [{ part, index, layers, arch: layers ? restrictArchitecture(arch, layers) : arch, config: partConfig(config, part) }];
    });
  const profiles = (arch: Architecture, config: MethodConfig): MethodProfile[] =>
    acting(arch, config).map(({ part, layers, arch: seen, config: own }) => {
      const p = part.method.profile(seen, own);
      const perLayer = p.extraActivationValues;
      // A per-layer figure of a part on some layers only, averaged over each whole stack.
      return layers && perLayer ? { ...p, extraActivationValues: (stack, tokens) => perLayer(stack, tokens) * selectedShare(arch, layers, stack) } : p;
    });
  const sum = (ps: MethodProfile[], f: (p: MethodProfile) => number | undefined) => ps.reduce((s, p) => s + (f(p) ?? 0), 0);

  const hyperparams: HyperParam[] = parts.flatMap((part) =>
    part.method.hyperparams
      .filter((h) => !(part.fixed && h.key in part.fixed))
      .map((h): HyperParam => {
        const renamed = { ...h, key: `${part.prefix}.${h.key}`, label: `${part.method.name}: ${h.label}` };
        const d = part.defaults?.[h.key];
        return d === undefined ? renamed : ({ ...renamed, default: d } as HyperParam);
      }),
  );
  const toyConfig: Record<string, HyperValue> = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part.method.toyConfig ?? {})) if (!(part.fixed && k in part.fixed)) toyConfig[`${part.prefix}.${k}`] = v;
  }
  Object.assign(toyConfig, spec.toyConfig);

  const traits: MethodTraits = {
    backpropThroughBackbone: parts.some((p) => p.method.traits.backpropThroughBackbone),
    inference: INFERENCE_ORDER[Math.max(...parts.map((p) => INFERENCE_ORDER.indexOf(p.method.traits.inference)))] ?? 'unchanged',
    addedTokens: (c) => parts.reduce((s, p) => s + (p.method.traits.addedTokens?.(partConfig(c, p)) ?? 0), 0),
    addedKeyValues: (c) => parts.reduce((s, p) => s + (p.method.traits.addedKeyValues?.(partConfig(c, p)) ?? 0), 0),
    modifiesBaseWeights: parts.some((p) => p.method.traits.modifiesBaseWeights === true),
  };
  const noted = parts.filter((p) => p.method.traits.countNote);
  if (noted.length > 0) traits.countNote = (c) => noted.map((p) => p.method.traits.countNote!(partConfig(c, p))).join(' ');
  const basePrecision = parts.find((p) => p.method.traits.basePrecision)?.method.traits.basePrecision;
  if (basePrecision) traits.basePrecision = basePrecision;

  const profile = (arch: Parameters<PeftMethod['profile']>[0], config: MethodConfig): MethodProfile => {
    const ps = profiles(arch, config);
    return {
      tensors: ps.flatMap((p) => p.tensors),
      trainable: ps.reduce((s, p) => s + profileTrainable(p), 0),
      // Each part's checkpoint (prefix tuning keeps its prefixes, not its MLP), so the profile
      // alone gives the composite's saved count too.
      saved: ps.flatMap(savedGroups),
      trainableInBase: sum(ps, (p) => p.trainableInBase),
      baseMatmulTrainable: sum(ps, (p) => p.baseMatmulTrainable),
      addedMatmul: sum(ps, (p) => p.addedMatmul),
      inferenceMatmul: sum(ps, (p) => p.inferenceMatmul ?? p.addedMatmul),
      extraActivationValues: (stack, tokens) => sum(ps, (p) => p.extraActivationValues?.(stack, tokens)),
      frozen: ps.flatMap((p) => p.frozen ?? []),
      // No releasedActivationValues: what one part no longer needs (LoRA-FA's inputs) another part
      // may train on, so a composite keeps the base's activations.
    };
  };

  return withCounts({
    id: spec.id,
    name: spec.name,
    hyperparams,
    toyLearningRate: spec.toyLearningRate,
    toyConfig,
    traits,
    lineage: spec.lineage,
    // Each part attaches where it does alone; an attachment two parts share is drawn once.
    anatomy(arch, config) {
      const all = acting(arch, config).flatMap(({ part, arch: seen, config: own }) =>
        part.method.anatomy(seen, own).map((a) => (part.where ? { ...a, note: `${a.note} (${part.where})` } : a)),
      );
      const key = (a: Attachment) => `${a.part}|${a.kind}|${a.note}`;
      return all.filter((a, i) => all.findIndex((b) => key(b) === key(a)) === i);
    },
    profile,
    apply(model, config, { seed = 0 } = {}) {
      const applied = acting(model.arch, config).map(({ part, index, layers, config: own }) =>
        layers ? applyOnLayers(model, layers, (view) => part.method.apply(view, own, { seed: seed + index })) : part.method.apply(model, own, { seed: seed + index }),
      );
      return combineApplied(model.tf, applied);
    },
  });
}

/** Several applied methods acting as one: hooks chained, lifecycles called in order. */
export function combineApplied(tf: TF, applied: readonly AppliedMethod[]): AppliedMethod {
  const withMasks = applied.filter((a) => a.gradientMasks !== undefined || a.calibrate !== undefined);
  const regularizers = applied.flatMap((a) => (a.regularizer ? [a.regularizer.bind(a)] : []));
  return {
    // Read when asked: a part may settle what it trains while calibrating (FISH Mask).
    get trainable() {
      return applied.flatMap((a) => a.trainable);
    },
    hooks: applied.map((a) => a.hooks).reduce((acc, h) => chainHooks(tf, acc, h), {}),
    // Masks may appear during calibration, so they are gathered when the trainer reads them.
    get gradientMasks() {
      const all = withMasks.flatMap((a) => [...(a.gradientMasks ?? new Map<tf.Variable, tf.Tensor>())]);
      return all.length > 0 ? new Map(all) : undefined;
    },
    ...(applied.some((a) => a.calibrate) ? { calibrate: (ctx) => applied.forEach((a) => a.calibrate?.(ctx)) } : {}),
    ...(regularizers.length > 0 ? { regularizer: (pass) => regularizers.map((r) => r(pass)).reduce((s, r) => tf.add(s, r)) } : {}),
    ...(applied.some((a) => a.onStep)
      ? {
          onStep: (ctx) => {
            const actions = applied.map((a) => a.onStep?.(ctx)).filter((x): x is StepAction => x !== undefined);
            const reset = actions.flatMap((a) => a.resetOptimizer ?? []);
            const restart = actions.find((a) => a.restartSchedule)?.restartSchedule;
            const prune = actions.find((a) => a.pruneOptimizer)?.pruneOptimizer;
            return { ...(reset.length > 0 ? { resetOptimizer: reset } : {}), ...(restart ? { restartSchedule: restart } : {}), ...(prune ? { pruneOptimizer: prune } : {}) };
          },
        }
      : {}),
    ...(applied.some((a) => a.merge) ? { merge: () => applied.forEach((a) => a.merge?.()), unmerge: () => [...applied].reverse().forEach((a) => a.unmerge?.()) } : {}),
    dispose: () => applied.forEach((a) => a.dispose()),
  };
}

/** `b` applied after `a` at every hook point; prefixes are concatenated (a's first). */
export function chainHooks(tf: TF, a: ModelHooks, b: ModelHooks): ModelHooks {
  const out: ModelHooks = { ...a, ...b };
  if (a.weight && b.weight) out.weight = (n, w, c) => b.weight!(n, a.weight!(n, w, c), c);
  if (a.linear && b.linear) out.linear = (s, x, base, c) => b.linear!(s, x, a.linear!(s, x, base, c), c);
  if (a.sublayerOutput && b.sublayerOutput) out.sublayerOutput = (l, s, o, i, c) => b.sublayerOutput!(l, s, a.sublayerOutput!(l, s, o, i, c), i, c);
  if (a.activation && b.activation) out.activation = (l, s, x, c) => b.activation!(l, s, a.activation!(l, s, x, c), c);
  if (a.blockOutput && b.blockOutput) out.blockOutput = (l, h, c) => b.blockOutput!(l, a.blockOutput!(l, h, c), c);
  if (a.finalHidden && b.finalHidden) out.finalHidden = (h, c) => b.finalHidden!(a.finalHidden!(h, c), c);
  if (a.attentionContext && b.attentionContext) {
    out.attentionContext = (l, q, c) => {
      const [p, r] = [a.attentionContext!(l, q, c), b.attentionContext!(l, q, c)];
      return p && r ? (tf.add(p, r) as tf.Tensor4D) : (p ?? r);
    };
  }
  if (a.inputPrefix && b.inputPrefix) {
    out.inputPrefix = (c: ForwardContext) => concatRows(tf, a.inputPrefix!(c), b.inputPrefix!(c));
  }
  if (a.keyValuePrefix && b.keyValuePrefix) {
    out.keyValuePrefix = (l, c) => {
      const [p, q] = [a.keyValuePrefix!(l, c), b.keyValuePrefix!(l, c)];
      if (!p || !q) return p ?? q;
      return { key: tf.concat([p.key, q.key], 0), value: tf.concat([p.value, q.value], 0) };
    };
  }
  return out;
}

function concatRows(tf: TF, p: tf.Tensor2D | null, q: tf.Tensor2D | null): tf.Tensor2D | null {
  if (!p || !q) return p ?? q;
  return tf.concat([p, q], 0);
}
