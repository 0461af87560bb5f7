import { type Architecture, matchingLinears } from '../arch';
import type * as tf from '@tensorflow/tfjs';
import type { ToyModel } from '../model/transformer';
import { type Attachment, attachAll, biasParts, targetBiasParts } from './anatomy';
import { targetsOutside } from './outside';
import { type TensorGroup, biasTensors } from './profile';
import { toyTargetSites } from './toy-sites';

/**
 * HF PEFT's `bias` setting of LoRA-style configs (`_mark_only_adapters_as_trainable` in
 * peft/tuners/tuners_utils.py): 'none'; 'all', every parameter of the model named `*.bias` (linear
 * maps, LayerNorms, an LM head's) becomes trainable; 'lora_only', only the biases of the modules
 * the method wraps. These are base weights that become trainable, and the checkpoint saves them.
 */
export type BiasMode = 'none' | 'all' | 'lora_only';

export const BIAS_HYPERPARAM = {
  key: 'bias',
  label: 'Bias',
  help: 'Biases trained with the update (HF PEFT bias): none, every bias of the model, or only those of the targeted maps.',
  kind: 'choice',
  options: [
    { value: 'none', label: 'none' },
    { value: 'all', label: 'all' },
    { value: 'lora_only', label: 'lora_only (targeted maps)' },
  ],
  default: 'none',
} as const;

/** The bias vectors `mode` trains on `arch` for these targets. */
export function trainedBiases(arch: Architecture, mode: string, targets: readonly string[]): TensorGroup[] {
  if (mode === 'all') return biasTensors(arch);
  if (mode !== 'lora_only') return [];
  const groups: TensorGroup[] = [];
  for (const s of arch.stacks) for (const l of matchingLinears(s, targets)) if (l.bias) groups.push({ shape: [l.outFeatures], count: s.layers });
  if (arch.lmHeadBias && targetsOutside(arch, targets, 'lmHead')) groups.push({ shape: [arch.vocabSize], count: 1 });
  return groups;
}

/** Where those biases are, for the method's anatomy. */
export function biasAttachments(arch: Architecture, mode: string, targets: readonly string[]): Attachment[] {
  if (mode === 'all') return attachAll(biasParts(arch), 'trained', 'biases (bias = all)');
  if (mode === 'lora_only') return attachAll(targetBiasParts(arch, targets), 'trained', 'biases of the targeted maps');
  return [];
}

/** The toy's bias variables that `mode` trains. */
export function toyTrainedBiases(model: ToyModel, mode: string, targets: readonly string[]): tf.Variable[] {
  if (mode === 'all') return [...model.weights].filter(([name]) => name.endsWith('.bias')).map(([, v]) => v);
  if (mode !== 'lora_only') return [];
  const names = new Set(toyTargetSites(model, targets).map((s) => `h.${s.layer}.${s.name}.bias`));
  return [...model.weights].filter(([name]) => names.has(name)).map(([, v]) => v);
}
