import type * as tf from '@tensorflow/tfjs';
import type { Architecture, LinearRole } from '../arch';
import type { WeightPrecision } from '../cost/precision';
import type { ModelHooks } from '../model/hooks';
import type { Batch, Task, TaskId } from '../model/tasks';
import type { ToyModel } from '../model/transformer';
import type { Attachment } from './anatomy';
import type { OutsideModule } from './outside';
import type { MethodProfile } from './profile';
import type { PythonValue } from './python';

/**
 * What a method file is written against. A method declares its hyperparameters once (they type
 * its config and drive the calculator, the playground and the CLI), its cost profile on any
 * Architecture (the trainable count is derived from it) and what it does to the toy model.
 */

interface HyperBase<K extends string> {
  key: K;
  label: string;
  help: string;
  /** A setting of the toy run only (a transfer method's source tasks): it changes no count, so
   * the calculator, /compare and the export leave it out; the playground shows it. */
  toyOnly?: true;
  /** On the toy this value is the run's task's: 'classes' is its number of classes (a class
   * head's width), so the playground fills it in from the chosen task and locks the field. */
  toyFromTask?: 'classes';
}

/** A method's hyperparameter: its controls on the site and its flag in the CLI come from here. */
export type HyperParam<K extends string = string> =
  | (HyperBase<K> & { kind: 'int'; min: number; max: number; default: number })
  | (HyperBase<K> & { kind: 'number'; min: number; max: number; default: number })
  | (HyperBase<K> & { kind: 'choice'; options: readonly { value: string; label: string }[]; default: string })
  /** Linear maps chosen by module path or name, matched as HF PEFT matches target modules.
   * Defaults: `byFamily[arch.family]` where given (HF PEFT's per-model tables), else every map
   * playing one of `defaultRoles`, or, in a model with none (fused attention), `fallbackRoles`. */
  | (HyperBase<K> & {
      kind: 'modules';
      defaultRoles: readonly LinearRole[];
      fallbackRoles?: readonly LinearRole[];
      byFamily?: Readonly<Record<string, readonly string[]>>;
      /** Modules outside the blocks it may also name (`embed_tokens`, `lm_head`, from
       * `arch.moduleNames`), where HF PEFT's method can wrap them. */
      outside?: readonly OutsideModule[];
    })
  /** Per-module values of the numeric hyperparameter `of`, as HF PEFT's `rank_pattern` and
   * `alpha_pattern`: text `q_proj=16,v_proj=4`, keys matched as regular expressions against the
   * end of the names of the modules `targets` selects (see pattern.ts). Resolved to its
   * normalised text; '' for none. */
  | (HyperBase<K> & { kind: 'pattern'; of: string; targets: string; integer: boolean; min: number; max: number; default: '' });

export type HyperValue = number | string | readonly string[];
export type MethodConfig = Readonly<Record<string, HyperValue>>;

/** The config type a list of hyperparameters describes: `config.r` is a number, `config.targets` a list. */
export type ConfigOf<H extends readonly HyperParam[]> = {
  readonly [P in H[number] as P['key']]: P extends { kind: 'int' | 'number' } ? number : P extends { kind: 'choice' | 'pattern' } ? string : readonly string[];
};

/** What the memory, storage and inference models need to know about a method beyond its shapes. */
export interface MethodTraits<C extends MethodConfig = MethodConfig> {
  /** False for methods whose gradients never pass through the frozen backbone. */
  backpropThroughBackbone: boolean;
  /** How serving the tuned model differs from serving the base model. */
  inference: 'unchanged' | 'mergeable' | 'extra-modules' | 'longer-input';
  /** Tokens the method adds in front of every sequence (prompts): the sequence grows. */
  addedTokens?(config: C): number;
  /** Keys and values the method adds to every attention layer (prefixes), a decoder's
   * cross-attention included: attention reads more positions, but the sequence, and so every
   * other activation, keeps its length. */
  addedKeyValues?(config: C): number;
  /** The method rewrites base weights in place (merging during training, as ReLoRA; a new
   * initialisation of the base, as PiSSA), so frozen weights are not bit-identical after training. */
  modifiesBaseWeights?: boolean;
  /** The frozen base is held at this precision whatever the training setup says (QLoRA: NF4). */
  basePrecision?: WeightPrecision;
  /** One sentence on what serving the tuned model keeps in memory where the general account
   * (merged: nothing beyond the base; unmerged: the saved tensors and the frozen ones the method
   * adds) is not the whole story: PiSSA's merged weights replace the base, ReLoRA is merged already. */
  atInference?: string;
  /** One sentence where the count follows from a share the user chooses rather than from the
   * architecture (a sparsity, a share of weights picked from data): the calculator shows it under
   * the count, so nobody reads a chosen budget as a property of the method. */
  countNote?(config: C): string;
}

/** Passed to `calibrate`: task data seen before training starts. */
export interface CalibrationContext {
  model: ToyModel;
  /** The task the run trains on. */
  task: Task;
  batches: readonly Batch[];
  /** The task loss of the base model (no method hooks) on a batch, for use inside tf.grads; with
   * `hooks`, of the model with them (a score of the method's own tensors at initialisation, as
   * SparseAdapter's SNIP). */
  loss(batch: Batch, hooks?: ModelHooks): tf.Scalar;
  /** Fresh batches of any toy task from a seeded stream of their own (never the run's training or
   * held-out examples): source tasks for a method that learns on them first (SPoT, IPT). */
  batchesOf(task: TaskId, count: number, size?: number): Batch[];
  /** Trains `trainable` on `task` for `steps` AdamW steps through `hooks` (and `classifier`), on
   * batches from `batchesOf`, and returns its held-out loss and exact match: a method's own
   * training phase before the run (a source prompt). Frees its optimizer; the variables stay. */
  fit(options: FitOptions): { loss: number; accuracy: number };
}

export interface FitOptions {
  task: TaskId;
  trainable: tf.Variable[];
  hooks: ModelHooks;
  classifier?: AppliedMethod['classifier'];
  regularizer?: AppliedMethod['regularizer'];
  steps: number;
  learningRate: number;
  batchSize?: number;
}

/** The training forward pass a regularizer is added to, inside the gradient tape. */
export interface TrainingPass {
  batch: Batch;
  /** What the task loss was computed from: logits `[batch, length, vocab]`, or class scores
   * `[batch, classes]` where the method has a class head. */
  scores: tf.Tensor;
  /** The same forward pass run again (same hooks, head, batch and run), scores as `scores`: a
   * second draw of a stochastic pass. */
  rerun(): tf.Tensor;
}

/** Passed to `onStep` after each optimizer update. */
export interface StepContext {
  /** Steps done, this one included. */
  step: number;
  totalSteps: number;
  /** The (unclipped) gradient of each trainable variable at this step; freed after the call. */
  grads: ReadonlyMap<tf.Variable, tf.Tensor>;
}

/** What a method may ask the trainer to do after a step. */
export interface StepAction {
  /** Clear the optimizer's moments (and step count) for these variables. */
  resetOptimizer?: readonly tf.Variable[];
  /** Restart the learning-rate schedule with a fresh warmup of this many steps. By default the
   * rate climbs back to the run's decaying schedule (ReLoRA's jagged schedule); with `fresh`, the
   * steps left follow a schedule of their own, warmup then linear decay from the peak to zero at
   * the run's end (a new training phase: LT-SFT's second fine-tune gets a new HF scheduler). */
  restartSchedule?: { warmupSteps: number; fresh?: boolean };
  /** Keep only the `keep` share (0 to 1) of these variables' optimizer state, the entries with the
   * largest second moments, and zero both moments elsewhere; the step count stays (ReLoRA's
   * partial reset by magnitude, see AdamW.prune). */
  pruneOptimizer?: { variables: readonly tf.Variable[]; keep: number };
}

/** A method applied to a toy model: what to train, how the forward pass changes, and when to act. */
export interface AppliedMethod {
  trainable: tf.Variable[];
  hooks: ModelHooks;
  /** For selective methods that train only some elements of a weight: 1 = trainable. Read at
   * every step, so `calibrate` may create it. */
  gradientMasks?: ReadonlyMap<tf.Variable, tf.Tensor>;
  /** Scalars the method trains in the end where an earlier phase trains more (LT-SFT fine-tunes
   * every eligible weight, then keeps K of them): the count `trainableCount` reports. Absent: every
   * element of `trainable`, or what `gradientMasks` lets through. */
  trainedCount?: number;
  /** Runs once on task batches before the first step (FISH Mask's Fisher information). It may
   * change `trainable` in place: the trainer builds its optimizer after calibrating. */
  calibrate?(ctx: CalibrationContext): void;
  /** A penalty added to the loss inside the gradient tape (AdaLoRA's orthogonality, an L0 term).
   * The trainer passes the training pass it adds to, for a penalty that compares outputs (a
   * consistency term between two stochastic passes, as AdaMix's); callers outside a training step
   * may omit it. */
  regularizer?(pass?: TrainingPass): tf.Scalar;
  /** After every optimizer update (AdaLoRA's importance scores and budget, ReLoRA's merges). */
  onStep?(ctx: StepContext): StepAction | void;
  /** A head over the task's classes that replaces the LM head (WARP's class embeddings, P-Tuning
   * v2's linear head): from the final hidden states `[batch, hidden]` where each answer starts,
   * class scores `[batch, classes]`. The loss is then cross-entropy over classes. */
  classifier?(features: tf.Tensor2D): tf.Tensor2D;
  /** Of `trainable`, the variables of a class head that belongs to the task rather than to the
   * method (P-Tuning v2's linear head): the method's profile leaves them out, as the calculator
   * counts a classification head with the training setup's task (cost/task.ts). */
  taskHead?: readonly tf.Variable[];
  /** Fold the learned update into the frozen weights (reparametrisations only). */
  merge?(): void;
  unmerge?(): void;
  /** Frees the tensors the method created; the model's own weights stay. */
  dispose(): void;
}

export interface ApplyOptions {
  seed?: number;
  task?: Task;
}

/** One parent of a method in the lineage tree, as the method's own paper states it. */
export interface LineageLink {
  /** The parent's taxonomy id. */
  id: string;
  /** What this method takes from or changes in the parent, in a few words of our own. */
  how: string;
  /** Where the method's paper says it builds on the parent: "abstract", "§1". */
  where: string;
}

/**
 * How HF PEFT builds the same method with the same count: its config class and arguments
 * (`lib/peft/export.ts` renders them as a Python snippet). Arguments left undefined are omitted.
 */
export interface PeftExport {
  /** The class in `peft`, e.g. `LoraConfig`. */
  configClass: string;
  args: Readonly<Record<string, PythonValue | undefined>>;
  /** Arguments of transformers' `BitsAndBytesConfig` when the base is loaded quantized (QLoRA). */
  quantization?: Readonly<Record<string, PythonValue>>;
  /** One or two sentences where HF PEFT's count or behaviour differs from ours for this config. */
  note?: string;
}

/** What an export may need to know about the training run. */
export interface PeftRun {
  /** Optimizer steps of the run (AdaLoRA's required `total_step`). */
  totalSteps?: number;
}

/** What a method file declares; `defineMethod` derives the counts from `profile`. */
export interface MethodDefinition<C extends MethodConfig> {
  /** The id in the survey taxonomy (content/data/taxonomy.json). */
  id: string;
  name: string;
  hyperparams: readonly HyperParam[];
  /** A learning rate that trains the toy model well within a few hundred steps. */
  toyLearningRate: number;
  /** Hyperparameter values for the toy playground and benchmark where they differ from the
   * defaults (which are chosen for real models). */
  toyConfig?: Readonly<Record<string, HyperValue>>;
  traits: MethodTraits<C>;
  /** 'classification' for a method that replaces the toy's LM head with a head over the task's
   * classes (`classifier`): it runs on classification tasks only. */
  toyTasks?: 'classification';
  /** The toy task its playground opens on, where it is shown at its best (default: the first). */
  toyTask?: TaskId;
  /** The int hyperparameter that is the rank of its low-rank weight update (LoRA's `r`): /compare
   * sets the low-rank family to one rank through it. Absent where no setting is a rank (OFT's
   * blocks, KronA's factor shapes). */
  rankParam?: string;
  /** The methods this one builds on (taxonomy ids), each with a few words on how and where its
   * paper says so: the lineage tree and the "builds on" line of method pages read it. [] for a root. */
  lineage: readonly LineageLink[];
  /** Where it attaches in a transformer block for a config on an architecture: the block diagram
   * draws it, and the method contract checks it against what `apply` does to the toy model. */
  anatomy(arch: Architecture, config: C): Attachment[];
  /** The tensors it trains and saves and the compute and activations it adds, on any architecture. */
  profile(arch: Architecture, config: C): MethodProfile;
  /** `task` is the toy task of the run (a class head needs its classes; tests default to the first). */
  apply(model: ToyModel, config: C, options?: ApplyOptions): AppliedMethod;
  /** One sentence when the method trains nothing on `arch` with `config` ("BitFit trains bias
   * vectors, and Llama 2 7B has none."), else null; `checkApplies` throws it. */
  notApplicable?(arch: Architecture, config: C): string | null;
  /** The HF PEFT config that reproduces this method and its count; absent for methods HF PEFT
   * does not have (and for full fine-tuning, which needs no PEFT). */
  peft?(config: C, arch: Architecture, run?: PeftRun): PeftExport;
}

export interface PeftMethod<C extends MethodConfig = MethodConfig> extends MethodDefinition<C> {
  /** Exact number of trainable scalars on any architecture: derived from `profile`. */
  trainableParams(arch: Architecture, config: C): number;
  /** Scalars the saved checkpoint holds: derived from `profile` (differs from the trained count
   * when training uses a reparametrisation that is dropped afterwards, as prefix tuning's MLP). */
  savedParams(arch: Architecture, config: C): number;
}
