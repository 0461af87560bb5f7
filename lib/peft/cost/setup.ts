/**
 * A training setup as the cost model reads it: what a run's command line or config file says
 * (batch, lengths, dtypes, optimizer, kernels, memory savers, GPUs). Every interface (calculator,
 * /compare, the `cost` CLI) builds one through lib/peft/input.ts and the cost model checks it here,
 * so a setting means the same thing everywhere. The effect of each setting is written out on
 * /about/cost-model/.
 */

/** How the frozen base weights are held: the checkpoint's dtype as loaded, or quantized. */
export const PRECISIONS = ['fp32', 'bf16', 'fp16', 'int8', 'nf4'] as const;
/** How training computes and what it keeps in fp32. */
export const RECIPES = ['mixed-bf16', 'mixed-fp16', 'amp', 'pure-bf16', 'fp32'] as const;
export const ATTENTIONS = ['sdpa', 'eager'] as const;
export const OPTIMIZERS = ['adamw', 'adamw-8bit', 'paged-adamw', 'paged-adamw-8bit', 'adafactor', 'sgd', 'sgd-momentum'] as const;
export const TASKS = ['lm', 'classification'] as const;
export const SHARDINGS = ['ddp', 'zero1', 'zero2', 'zero3'] as const;
export const OFFLOADS = ['none', 'optimizer', 'optimizer+params'] as const;

export type Precision = (typeof PRECISIONS)[number];
export type Recipe = (typeof RECIPES)[number];
export type AttentionKernel = (typeof ATTENTIONS)[number];
export type Optimizer = (typeof OPTIMIZERS)[number];
export type Task = (typeof TASKS)[number];
export type Sharding = (typeof SHARDINGS)[number];
export type Offload = (typeof OFFLOADS)[number];

export interface TrainingSetup {
  /** Sequences per GPU per step (the micro-batch). */
  batchSize: number;
  /** Tokens per sequence: the padded length, or a packed row's; an encoder–decoder model's source length. */
  sequenceLength: number;
  /** An encoder–decoder model's target (decoder) length; null: the same as `sequenceLength`. */
  targetLength: number | null;
  /** Padding-free batches (flattened or variable-length kernels) whose sequences average this many
   * tokens; null: every sequence holds `sequenceLength` tokens (padded to it, or packed). */
  meanLength: number | null;
  /** `lm`: logits over the vocabulary (causal, seq2seq or masked LM); `classification`: a
   * sequence-classification head of `numLabels` outputs, trained in full (PEFT's modules_to_save). */
  task: Task;
  numLabels: number;
  /** Storage of the frozen base weights. */
  precision: Precision;
  recipe: Recipe;
  attention: AttentionKernel;
  optimizer: Optimizer;
  /** The optimizer steps each parameter as soon as its gradient is ready and frees the gradient. */
  optimizerInBackward: boolean;
  gradientCheckpointing: boolean;
  /** Saved activations wait in CPU memory between the forward and the backward pass. */
  activationOffloading: boolean;
  /** Cross-entropy over chunks of the sequence, so full fp32 logits never exist at once. */
  chunkedLoss: boolean;
  gpus: number;
  /** `ddp`: every GPU holds everything; ZeRO stage 1/2/3 shards optimizer state, then gradients,
   * then weights (FSDP's SHARD_GRAD_OP is stage 2, FULL_SHARD stage 3). */
  sharding: Sharding;
  offload: Offload;
  /** Modules outside the method trained and saved in full (HF PEFT's `modules_to_save`), by name. */
  modulesToSave: readonly string[];
  /** A vocabulary resized before training (`resize_token_embeddings`); null: the model's own. */
  vocabSize: number | null;
}

/** What current Hugging Face training runs use unless told otherwise: bf16 weights and autocast,
 * PyTorch's SDPA attention, AdamW, one GPU. */
export const DEFAULT_SETUP: TrainingSetup = {
  batchSize: 8,
  sequenceLength: 512,
  targetLength: null,
  meanLength: null,
  task: 'lm',
  numLabels: 2,
  precision: 'bf16',
  recipe: 'mixed-bf16',
  attention: 'sdpa',
  optimizer: 'adamw',
  optimizerInBackward: false,
  gradientCheckpointing: false,
  activationOffloading: false,
  chunkedLoss: false,
  gpus: 1,
  sharding: 'ddp',
  offload: 'none',
  modulesToSave: [],
  vocabSize: null,
};

export const MAX_BATCH_SIZE = 65_536;
export const MAX_SEQUENCE_LENGTH = 1_048_576;
export const MAX_GPUS = 4096;
export const MAX_LABELS = 1_000_000;
export const MAX_VOCAB = 10_000_000;

/** Labels for every choice, shared by the calculator's selects and the cost-model page. */
export const SETUP_LABELS: Record<Precision | Recipe | AttentionKernel | Optimizer | Task | Sharding | Offload, string> = {
  fp32: 'fp32',
  bf16: 'bf16',
  fp16: 'fp16',
  int8: 'int8 (LLM.int8)',
  nf4: '4-bit NF4 (QLoRA)',
  'mixed-bf16': 'bf16 mixed precision (fp32 master weights)',
  'mixed-fp16': 'fp16 mixed precision (fp32 master weights)',
  amp: 'PyTorch AMP variant: fp32 weights and gradients (HF Trainer)',
  'pure-bf16': 'pure bf16 (weights, gradients, optimizer state)',
  sdpa: 'SDPA / FlashAttention',
  eager: 'eager (scores stored)',
  adamw: 'AdamW',
  'adamw-8bit': '8-bit AdamW',
  'paged-adamw': 'paged AdamW',
  'paged-adamw-8bit': 'paged 8-bit AdamW',
  adafactor: 'Adafactor',
  sgd: 'SGD',
  'sgd-momentum': 'SGD with momentum',
  lm: 'language modelling',
  classification: 'sequence classification',
  ddp: 'DDP (replicated)',
  zero1: 'ZeRO-1 (optimizer state sharded)',
  zero2: 'ZeRO-2 / FSDP SHARD_GRAD_OP',
  zero3: 'ZeRO-3 / FSDP FULL_SHARD',
  none: 'none',
  optimizer: 'optimizer state to CPU',
  'optimizer+params': 'optimizer state and weights to CPU',
};

/** Throws a RangeError naming the first impossible setting. */
export function validateSetup(setup: TrainingSetup): void {
  wholeIn('batch size', setup.batchSize, 1, MAX_BATCH_SIZE);
  wholeIn('sequence length', setup.sequenceLength, 1, MAX_SEQUENCE_LENGTH);
  if (setup.targetLength !== null) wholeIn('target length', setup.targetLength, 1, MAX_SEQUENCE_LENGTH);
  if (setup.meanLength !== null) {
    wholeIn('mean length', setup.meanLength, 1, MAX_SEQUENCE_LENGTH);
    if (setup.meanLength > setup.sequenceLength) throw new RangeError(`mean length (${setup.meanLength}) cannot exceed the sequence length (${setup.sequenceLength})`);
  }
  oneOf('task', setup.task, TASKS);
  wholeIn('number of labels', setup.numLabels, 1, MAX_LABELS);
  oneOf('precision', setup.precision, PRECISIONS);
  oneOf('recipe', setup.recipe, RECIPES);
  oneOf('attention', setup.attention, ATTENTIONS);
  oneOf('optimizer', setup.optimizer, OPTIMIZERS);
  for (const key of ['optimizerInBackward', 'gradientCheckpointing', 'activationOffloading', 'chunkedLoss'] as const) {
    if (typeof setup[key] !== 'boolean') throw new RangeError(`${key} must be true or false`);
  }
  wholeIn('number of GPUs', setup.gpus, 1, MAX_GPUS);
  oneOf('sharding', setup.sharding, SHARDINGS);
  oneOf('offload', setup.offload, OFFLOADS);
  if (setup.offload === 'optimizer+params' && setup.sharding !== 'zero3') {
    throw new RangeError('offloading weights to the CPU needs ZeRO-3 / FSDP FULL_SHARD sharding');
  }
  if (setup.offload !== 'none' && setup.sharding === 'ddp') throw new RangeError('CPU offload needs a ZeRO stage (DeepSpeed) or FSDP sharding, not DDP');
  if (setup.optimizerInBackward && setup.sharding !== 'ddp') throw new RangeError('optimizer-in-backward runs without sharding (DDP or one GPU)');
  if (setup.vocabSize !== null) wholeIn('vocabulary size', setup.vocabSize, 1, MAX_VOCAB);
}

function wholeIn(label: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${label} must be a whole number from ${min} to ${max}`);
  }
}

function oneOf(label: string, v: unknown, choices: readonly string[]): void {
  if (typeof v !== 'string' || !choices.includes(v)) throw new RangeError(`${label} must be one of ${choices.join(', ')}`);
}

type Field = keyof TrainingSetup;
interface FieldBase<F extends Field> {
  /** The name in URLs (`?batch=8`) and CLI flags (`--batch 8`). */
  key: string;
  field: F;
  label: string;
  help: string;
}
/** A setting as every interface reads and writes it: its text key, its kind, and what it means. */
export type SetupField =
  | (FieldBase<'batchSize' | 'sequenceLength' | 'numLabels' | 'gpus'> & { kind: 'int' })
  | (FieldBase<'targetLength' | 'meanLength' | 'vocabSize'> & { kind: 'optional-int' })
  | (FieldBase<'task' | 'precision' | 'recipe' | 'attention' | 'optimizer' | 'sharding' | 'offload'> & { kind: 'choice'; choices: readonly string[] })
  | (FieldBase<'optimizerInBackward' | 'gradientCheckpointing' | 'activationOffloading' | 'chunkedLoss'> & { kind: 'boolean' })
  | (FieldBase<'modulesToSave'> & { kind: 'list' });

/** Every setting, in the order the calculator shows them. */
export const SETUP_FIELDS: readonly SetupField[] = [
  { key: 'batch', field: 'batchSize', kind: 'int', label: 'Batch size', help: 'Sequences per GPU per step (the micro-batch).' },
  { key: 'seq', field: 'sequenceLength', kind: 'int', label: 'Sequence length', help: 'Tokens per sequence as padded or packed; the source length of an encoder–decoder model.' },
  { key: 'target', field: 'targetLength', kind: 'optional-int', label: 'Target length', help: 'Decoder tokens of an encoder–decoder model; blank: the sequence length.' },
  { key: 'mean', field: 'meanLength', kind: 'optional-int', label: 'Mean length (padding-free)', help: 'Average tokens per sequence when batches are not padded (flattened or variable-length attention); blank: every sequence is full length.' },
  { key: 'task', field: 'task', kind: 'choice', choices: TASKS, label: 'Task', help: 'Classification replaces the LM head with a head of the given number of labels, trained in full.' },
  { key: 'labels', field: 'numLabels', kind: 'int', label: 'Labels', help: 'Classes of a classification head.' },
  { key: 'precision', field: 'precision', kind: 'choice', choices: PRECISIONS, label: 'Base weights', help: 'How the frozen weights are held: the checkpoint’s dtype, or quantized.' },
  { key: 'recipe', field: 'recipe', kind: 'choice', choices: RECIPES, label: 'Training precision', help: 'Mixed precision keeps trained weights, gradients and optimizer state in fp32; pure bf16 keeps them in bf16.' },
  { key: 'attention', field: 'attention', kind: 'choice', choices: ATTENTIONS, label: 'Attention kernel', help: 'SDPA/FlashAttention never stores the sequence × sequence score matrix; eager attention does.' },
  { key: 'optimizer', field: 'optimizer', kind: 'choice', choices: OPTIMIZERS, label: 'Optimizer', help: 'Its state per trained weight: AdamW two values, 8-bit AdamW two bytes, Adafactor factored, SGD none.' },
  { key: 'optimizer_in_backward', field: 'optimizerInBackward', kind: 'boolean', label: 'Optimizer in backward', help: 'Steps each weight as soon as its gradient is ready, so the gradients never exist all at once.' },
  { key: 'checkpointing', field: 'gradientCheckpointing', kind: 'boolean', label: 'Gradient checkpointing', help: 'Keeps only each layer’s input and recomputes the rest in the backward pass.' },
  { key: 'offload_activations', field: 'activationOffloading', kind: 'boolean', label: 'Activation offloading', help: 'Saved activations wait in CPU memory until the backward pass needs them.' },
  { key: 'chunked_loss', field: 'chunkedLoss', kind: 'boolean', label: 'Chunked cross-entropy', help: 'Computes the loss over chunks of the sequence, so full fp32 logits never exist at once.' },
  { key: 'gpus', field: 'gpus', kind: 'int', label: 'GPUs', help: 'Data-parallel GPUs; memory is shown per GPU.' },
  { key: 'sharding', field: 'sharding', kind: 'choice', choices: SHARDINGS, label: 'Sharding', help: 'What the GPUs split between them instead of each holding a copy.' },
  { key: 'offload', field: 'offload', kind: 'choice', choices: OFFLOADS, label: 'CPU offload', help: 'DeepSpeed/FSDP moving optimizer state (and weights) to CPU memory.' },
  { key: 'modules_to_save', field: 'modulesToSave', kind: 'list', label: 'Modules to save', help: 'Modules trained and saved in full beside the method (PEFT’s modules_to_save), comma-separated: embed_tokens, lm_head, …' },
  { key: 'vocab', field: 'vocabSize', kind: 'optional-int', label: 'Resized vocabulary', help: 'Vocabulary after resize_token_embeddings; blank: the model’s own.' },
];
