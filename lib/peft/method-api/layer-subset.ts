import type * as tf from '@tensorflow/tfjs';
import { type Architecture, type Stack, totalLayers } from '../arch';
import type { ModelHooks } from '../model/hooks';
import type { ToyModel } from '../model/transformer';
import type { AppliedMethod } from './types';

/**
 * A method acting on some layers only, as HF PEFT's `layers_to_transform` and AdapterHub's
 * `leave_out` allow: `compose` gives a part such a selection (S4 puts each strategy on some groups
 * of layers). Layers are numbered through the stacks in order, encoder first, as AdapterHub numbers
 * them for `leave_out` (`iter_layers` in its T5 mixin counts the decoder's blocks on from the
 * encoder's: 0–11 then 12–23 on T5-Base); the toy's one stack numbers them 0, 1, ….
 *
 * Every layer of a stack is alike, so a method's count on a selection is its count on the same
 * architecture with fewer layers per stack: `restrictArchitecture`. Nothing outside the layers
 * belongs to a selection (final norms, an LM head's bias, embedding norms, the embedding and LM head
 * as targets), so the restricted architecture has none of them.
 */

/** The selection checked, each layer once, in order. */
export function checkLayers(arch: Architecture, layers: readonly number[]): number[] {
  const total = totalLayers(arch);
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= total) throw new RangeError(`layer ${l} is not one of ${arch.name}'s layers 0–${total - 1}`);
  }
  return [...new Set(layers)].sort((a, b) => a - b);
}

/** How many selected layers each stack holds, in stack order. */
export function layersPerStack(arch: Architecture, layers: readonly number[]): number[] {
  const chosen = checkLayers(arch, layers);
  let start = 0;
  return arch.stacks.map((s) => {
    const n = chosen.filter((l) => l >= start && l < start + s.layers).length;
    start += s.layers;
    return n;
  });
}

/** The architecture of the selected layers alone: each stack keeps its selected layers (a stack
 * with none is dropped) and nothing outside the layers. */
export function restrictArchitecture(arch: Architecture, layers: readonly number[]): Architecture {
  const counts = layersPerStack(arch, layers);
  const stacks: Stack[] = arch.stacks.flatMap((s, i) => ((counts[i] ?? 0) > 0 ? [{ ...s, layers: counts[i] ?? 0, finalNorm: null, extraParams: 0 }] : []));
  const { moduleNames: _outside, ...rest } = arch;
  return { ...rest, stacks, extraParams: [], lmHeadBias: false };
}

/** The share of `stack`'s layers that the selection holds (a stack of `arch`, found by identity,
 * else the first of its kind): what a per-layer figure of the part averages to over that stack. */
export function selectedShare(arch: Architecture, layers: readonly number[], stack: Stack): number {
  let i = arch.stacks.indexOf(stack);
  if (i < 0) i = arch.stacks.findIndex((s) => s.kind === stack.kind);
  const s = arch.stacks[i];
  return s && s.layers > 0 ? (layersPerStack(arch, layers)[i] ?? 0) / s.layers : 0;
}

const LAYER_WEIGHT = /^h\.(\d+)\.(.+)$/;

/**
 * The toy model as a method sees it when it acts on `layers` only: a model of `layers.length`
 * layers whose layer j is the real layer `layers[j]` (its weights, renamed `h.j.…`, are the same
 * variables), with the restricted architecture and none of the weights outside the layers. A method
 * applied to it creates its tensors for the selected layers alone; `hooksOnLayers` maps its hooks
 * back onto the real layers.
 */
export function toyLayerView(model: ToyModel, layers: readonly number[]): ToyModel {
  const chosen = checkLayers(model.arch, layers);
  const weights = new Map<string, tf.Variable>();
  chosen.forEach((real, local) => {
    for (const [name, v] of model.weights) {
      const m = LAYER_WEIGHT.exec(name);
      if (m && Number(m[1]) === real) weights.set(`h.${local}.${m[2]}`, v);
    }
  });
  const view = Object.create(model) as ToyModel;
  Object.defineProperties(view, {
    arch: { value: restrictArchitecture(model.arch, chosen) },
    dims: { value: { ...model.dims, layers: chosen.length } },
    weights: { value: weights },
  });
  return view;
}

const LAYER_HOOKS = new Set(['weight', 'linear', 'sublayerOutput', 'keyValuePrefix', 'attentionContext', 'activation', 'blockOutput']);

/** Hooks written for `toyLayerView(model, layers)` acting on the real model: the view's layer j is
 * the real layer `layers[j]`; every other layer passes through unchanged. A hook outside the blocks
 * (an input prefix, the final hidden state) has no place in a selection of layers and is refused. */
export function hooksOnLayers(hooks: ModelHooks, layers: readonly number[]): ModelHooks {
  const local = new Map([...new Set(layers)].sort((a, b) => a - b).map((real, j) => [real, j]));
  const outside = Object.keys(hooks).filter((k) => hooks[k as keyof ModelHooks] && !LAYER_HOOKS.has(k));
  if (outside.length > 0) throw new Error(`a method restricted to some layers cannot act outside them (${outside.join(', ')})`);
  const h = hooks;
  const out: ModelHooks = {};
  if (h.weight) {
    out.weight = (name, w, c) => {
      const m = LAYER_WEIGHT.exec(name);
      const j = m ? local.get(Number(m[1])) : undefined;
      return m && j !== undefined ? h.weight!(`h.${j}.${m[2]}`, w, c) : w;
    };
  }
  if (h.linear) out.linear = (site, x, base, c) => (local.has(site.layer) ? h.linear!({ ...site, layer: local.get(site.layer)! }, x, base, c) : base);
  if (h.sublayerOutput) out.sublayerOutput = (l, s, o, i, c) => (local.has(l) ? h.sublayerOutput!(local.get(l)!, s, o, i, c) : o);
  if (h.keyValuePrefix) out.keyValuePrefix = (l, c) => (local.has(l) ? h.keyValuePrefix!(local.get(l)!, c) : null);
  if (h.attentionContext) out.attentionContext = (l, q, c) => (local.has(l) ? h.attentionContext!(local.get(l)!, q, c) : null);
  if (h.activation) out.activation = (l, s, x, c) => (local.has(l) ? h.activation!(local.get(l)!, s, x, c) : x);
  if (h.blockOutput) out.blockOutput = (l, x, c) => (local.has(l) ? h.blockOutput!(local.get(l)!, x, c) : x);
  return out;
}

/** `apply` run on the view of the selected layers, its hooks moved onto the real layers; the rest
 * of the applied method (trainable variables, merge, lifecycle, getters included) is its own. */
export function applyOnLayers(model: ToyModel, layers: readonly number[], apply: (view: ToyModel) => AppliedMethod): AppliedMethod {
  const applied = apply(toyLayerView(model, layers));
  const hooks = hooksOnLayers(applied.hooks, layers);
  const descriptors = Object.getOwnPropertyDescriptors(applied);
  return Object.defineProperties({} as AppliedMethod, { ...descriptors, hooks: { value: hooks, enumerable: true, writable: true, configurable: true } });
}
