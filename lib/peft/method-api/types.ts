import type * as tf from '@tensorflow/tfjs';
import type { Architecture, LinearRole } from '../arch';
import type { ModelHooks } from '../model/hooks';
import type { ToyModel } from '../model/transformer';
import type { MethodProfile } from './tensors';

/** A method's hyperparameter: its controls on the site and its flag in the CLI come from here. */
export type HyperParam =
  | { key: string; label: string; help: string; kind: 'int'; min: number; max: number; default: number }
  | { key: string; label: string; help: string; kind: 'number'; min: number; max: number; default: number }
  | { key: string; label: string; help: string; kind: 'choice'; options: readonly { value: string; label: string }[]; default: string }
  /** Linear maps chosen by module name; the default is every map playing one of `defaultRoles`,
   * or, in a model with none of those (fused attention), one of `fallbackRoles`. */
  | { key: string; label: string; help: string; kind: 'modules'; defaultRoles: readonly LinearRole[]; fallbackRoles?: readonly LinearRole[] };

export type HyperValue = number | string | string[];
export type MethodConfig = Readonly<Record<string, HyperValue>>;

/** What the memory, storage and inference models need to know about a method. */
export interface MethodTraits {
  /** False for methods whose gradients never pass through the frozen backbone. */
  backpropThroughBackbone: boolean;
  /** How serving the tuned model differs from serving the base model. */
  inference: 'unchanged' | 'mergeable' | 'extra-modules' | 'longer-input';
  /** Tokens the method adds in front of every sequence (prompts, prefixes). */
  addedTokens(config: MethodConfig): number;
}

/** A method applied to a toy model: what to train and how the forward pass changes. */
export interface AppliedMethod {
  trainable: tf.Variable[];
  hooks: ModelHooks;
  /** For selective methods that train only some elements of a weight: 1 = trainable. */
  gradientMasks?: ReadonlyMap<tf.Variable, tf.Tensor>;
  /** Fold the learned update into the frozen weights (reparametrisations only). */
  merge?(): void;
  unmerge?(): void;
  /** Frees the tensors the method created; the model's own weights stay. */
  dispose(): void;
}

export interface PeftMethod {
  /** The id in the survey taxonomy (content/data/taxonomy.json). */
  id: string;
  name: string;
  hyperparams: readonly HyperParam[];
  /** A learning rate that trains the toy model well within a few hundred steps. */
  toyLearningRate: number;
  traits: MethodTraits;
  /** Exact number of trainable scalars on any architecture, following the reference implementation. */
  trainableParams(arch: Architecture, config: MethodConfig): number;
  /** The shapes it trains and the compute and activations it adds, for the cost model. */
  costProfile(arch: Architecture, config: MethodConfig): MethodProfile;
  apply(model: ToyModel, config: MethodConfig, options?: { seed?: number }): AppliedMethod;
}
