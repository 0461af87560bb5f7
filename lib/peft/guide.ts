import { totalParams } from './arch';
import { checkpointBytes, inferenceOverhead, trainingMemory } from './cost/memory';
import { DEFAULT_SETUP, MAX_BATCH_SIZE, MAX_SEQUENCE_LENGTH, type TrainingSetup } from './cost/setup';
import { taskModel } from './cost/task';
import { setupToText } from './input';
import { notApplicableReason, resolveConfig } from './method-api/config';
import { groupsSize } from './method-api/profile';
import type { MethodConfig, MethodTraits, PeftMethod } from './method-api/types';
import type { ModelInfo } from './models';
import { METHODS } from './registry';

/**
 * "Which method fits?": every implemented method ranked for one model, GPU memory, number of
 * served tasks and latency need. Memory, storage and inference overhead come from the cost model
 * (the calculator's numbers), quality from the measured toy benchmark, and a few points from the
 * survey's checked findings. Every point a method earns comes with the sentence that explains it,
 * so the ranking can be read, not just trusted. Pure and free of zod: the page runs it in the browser.
 */

export const MAX_GUIDE_MEMORY_GIB = 10_000;
export const MAX_GUIDE_TASKS = 10_000;

export interface GuideInput {
  model: ModelInfo;
  /** Memory of one GPU, in GiB (2³⁰ bytes), as GPUs are built. */
  memoryGiB: number;
  /** Tasks served from one base model, each with its own trained checkpoint. */
  tasks: number;
  /** Whether inference latency matters (interactive serving) or throughput alone. */
  latency: boolean;
  batchSize: number;
  sequenceLength: number;
}

/** Which input is wrong and why, by field; empty when the input can be ranked. */
export type GuideErrors = Partial<Record<'memory' | 'tasks' | 'batch' | 'seq', string>>;

export function validateGuideNumbers(n: Pick<GuideInput, 'memoryGiB' | 'tasks' | 'batchSize' | 'sequenceLength'>): GuideErrors {
  const errors: GuideErrors = {};
  if (!Number.isFinite(n.memoryGiB) || n.memoryGiB <= 0 || n.memoryGiB > MAX_GUIDE_MEMORY_GIB) {
    errors.memory = `GPU memory must be a number of GiB above 0 and at most ${MAX_GUIDE_MEMORY_GIB.toLocaleString('en-US')}`;
  }
  if (!Number.isInteger(n.tasks) || n.tasks < 1 || n.tasks > MAX_GUIDE_TASKS) errors.tasks = `Tasks must be a whole number from 1 to ${MAX_GUIDE_TASKS.toLocaleString('en-US')}`;
  if (!Number.isInteger(n.batchSize) || n.batchSize < 1 || n.batchSize > MAX_BATCH_SIZE) errors.batch = `Batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}`;
  if (!Number.isInteger(n.sequenceLength) || n.sequenceLength < 1 || n.sequenceLength > MAX_SEQUENCE_LENGTH) {
    errors.seq = `Sequence length must be a whole number from 1 to ${MAX_SEQUENCE_LENGTH}`;
  }
  return errors;
}

/** A method's held-out exact match on one toy task, over seeds (content/data/toy-benchmark.json). */
export interface ToyResult {
  task: string;
  mean: number;
  std: number;
  /** Seeds. */
  n: number;
}
/** Toy results by method id; a method without an entry was not measured. */
export type ToyResults = Readonly<Record<string, readonly ToyResult[]>>;

// ---------------------------------------------------------------------------------------------
// The survey's findings the guide uses: only items checked against the text ([V] in the research
// notes, §7.1 from v1 §§12–14 and §7.2 from the v2 abstract). Nothing recalled or unchecked.

export const SURVEY_URL = 'https://arxiv.org/abs/2303.15647';
export const SURVEY_PAGE = '/survey/';

export interface SurveyFinding {
  id: 'practical-at-scale' | 'low-rank' | 'strong-baseline' | 'lst-memory' | 'diff-pruning-trains' | 'said-changes-all';
  /** Our paraphrase of the finding. */
  text: string;
  /** "Lialin et al. 2023, §14". */
  cite: string;
  /** The version of the survey it is read from. */
  href: string;
  /** Points it adds to a method it names (0: it explains, it does not score). */
  points: number;
}

const V1 = 'https://arxiv.org/abs/2303.15647v1';
const V2 = 'https://arxiv.org/abs/2303.15647v2';

export const SURVEY_FINDINGS: Readonly<Record<SurveyFinding['id'], SurveyFinding>> = {
  'practical-at-scale': {
    id: 'practical-at-scale',
    text: 'Adapters, prompt tuning, LoRA and (IA)³ have proven practical at scale',
    cite: 'Lialin et al. 2023, §14',
    href: V1,
    points: 8,
  },
  'low-rank': {
    id: 'low-rank',
    text: 'low-rank reparametrization has been the most successful direction; LoRA-style and Kronecker forms need little extra compute',
    cite: 'Lialin et al. 2023, §14',
    href: V1,
    points: 4,
  },
  'strong-baseline': {
    id: 'strong-baseline',
    text: 'methods previously shown to beat a strong LoRA baseline struggle when hyperparameter search is limited and training lasts only a few epochs',
    cite: 'Lialin et al. 2024 (v2), abstract',
    href: V2,
    points: 3,
  },
  'lst-memory': {
    id: 'lst-memory',
    text: 'the trainable count predicts memory best, but imperfectly: LST trains more parameters than LoRA or BitFit yet uses less memory, because it never backpropagates through the backbone',
    cite: 'Lialin et al. 2023, §12',
    href: V1,
    points: 0,
  },
  'diff-pruning-trains': {
    id: 'diff-pruning-trains',
    text: 'DiffPruning changes 0.5% of the parameters but trains 200% of them',
    cite: 'Lialin et al. 2023, §12',
    href: V1,
    points: 0,
  },
  'said-changes-all': {
    id: 'said-changes-all',
    text: 'Intrinsic SAID trains few parameters but changes all of them',
    cite: 'Lialin et al. 2023, §12',
    href: V1,
    points: 0,
  },
};

/** The four methods v1 §14 names as proven practical at scale (Houlsby adapters, prompt tuning, LoRA, (IA)³). */
const PRACTICAL_AT_SCALE = ['adapters', 'prompt-tuning', 'lora', 'ia3'];
/** Kronecker-product updates without a rank hyperparameter; the low-rank ones declare `rankParam`. */
const KRONECKER = ['krona'];

/** The findings that apply to a method, scoring ones first. */
export function surveyFindingsFor(method: Pick<PeftMethod, 'id' | 'rankParam'>): SurveyFinding[] {
  const f: SurveyFinding[] = [];
  if (PRACTICAL_AT_SCALE.includes(method.id)) f.push(SURVEY_FINDINGS['practical-at-scale']);
  if (method.rankParam !== undefined || KRONECKER.includes(method.id)) f.push(SURVEY_FINDINGS['low-rank']);
  if (method.id === 'lora') f.push(SURVEY_FINDINGS['strong-baseline']);
  if (method.id === 'lst') f.push(SURVEY_FINDINGS['lst-memory']);
  if (method.id === 'diff-pruning') f.push(SURVEY_FINDINGS['diff-pruning-trains']);
  if (method.id === 'intrinsic-said') f.push(SURVEY_FINDINGS['said-changes-all']);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Memory: the setup as given, then memory savers one at a time, until one fits.

export type MemoryStep = 'as-given' | 'checkpointing' | 'nf4';

export const STEP_WORDS: Record<MemoryStep, string> = {
  'as-given': 'bf16 weights, mixed-precision AdamW',
  checkpointing: 'with gradient checkpointing',
  nf4: 'with 4-bit NF4 base weights (as QLoRA) and gradient checkpointing',
};

/** The setup of each step. NF4 is offered only to methods that leave every base weight frozen and
 * in place (a method that trains or rewrites base weights needs them in 16 bits), and not to one
 * that fixes its base precision itself (QLoRA is NF4 already). */
export function stepSetup(step: MemoryStep, base: TrainingSetup): TrainingSetup {
  if (step === 'as-given') return base;
  if (step === 'checkpointing') return { ...base, gradientCheckpointing: true };
  return { ...base, gradientCheckpointing: true, precision: 'nf4' };
}

function stepsFor(method: PeftMethod, inBase: number): MemoryStep[] {
  const nf4 = inBase === 0 && !method.traits.modifiesBaseWeights && method.traits.basePrecision === undefined;
  return nf4 ? ['as-given', 'checkpointing', 'nf4'] : ['as-given', 'checkpointing'];
}

/** The cost model's figures for one method, at its default hyperparameters, on the input's model and setup. */
export interface MethodFacts {
  id: string;
  name: string;
  /** Training memory at each step tried, in order; the last is the smallest. */
  memory: { step: MemoryStep; bytes: number }[];
  checkpointBytes: number;
  inference: MethodTraits['inference'];
  mergeable: boolean;
  /** Extra inference compute per token as a share of the base model's (0 when merged or unchanged). */
  extraInferenceShare: number;
  surveyFindings: SurveyFinding[];
}

export function baseSetup(input: Pick<GuideInput, 'batchSize' | 'sequenceLength'>): TrainingSetup {
  return { ...DEFAULT_SETUP, batchSize: input.batchSize, sequenceLength: input.sequenceLength };
}

/**
 * The same figures `estimate` gives the calculator (the tests check they agree), without its
 * "what fits" searches, which would make ranking every method on every keystroke slow.
 * `notApplicable` instead when the method trains nothing on the model, saying why.
 */
export function methodFacts(method: PeftMethod, model: ModelInfo, setup: TrainingSetup): MethodFacts | { id: string; name: string; notApplicable: string } {
  const task = taskModel(model.arch, setup);
  let config: MethodConfig;
  try {
    config = resolveConfig(method, task.arch, {});
  } catch (err) {
    // A default that cannot apply to this model (no module of the default targets) reads as "does not apply".
    if (err instanceof RangeError) return { id: method.id, name: method.name, notApplicable: err.message };
    throw err;
  }
  const reason = notApplicableReason(method, task.arch, config);
  if (reason !== null) return { id: method.id, name: method.name, notApplicable: reason };
  const inBase = method.profile(task.arch, config).trainableInBase ?? 0;
  // As estimateFor: a method that trains the whole model saves a new head with it; others save the
  // head and modules_to_save beside their own tensors.
  const whole = inBase >= task.total - task.newParams;
  const extra = whole ? task.newParams : groupsSize(task.extraTrainable);
  const memory: MethodFacts['memory'] = [];
  for (const step of stepsFor(method, inBase)) memory.push({ step, bytes: trainingMemory(model.arch, method, config, stepSetup(step, setup)).total });
  const inference = inferenceOverhead(task.arch, method, config);
  return {
    id: method.id,
    name: method.name,
    memory,
    checkpointBytes: checkpointBytes(task.arch, method, config, extra),
    inference: inference.kind,
    mergeable: inference.mergeable,
    extraInferenceShare: inference.extraFlopsShare,
    surveyFindings: surveyFindingsFor(method),
  };
}

// ---------------------------------------------------------------------------------------------
// Scoring. Each criterion has a maximum; a method's score is the sum of its points.

export const WEIGHTS = {
  /** Fits as given; less when it needs a memory saver; less when it fills the GPU. */
  memory: 20,
  /** Checkpoints for every task against the size of the base model. */
  storage: 25,
  /** Inference overhead when latency matters, and when it does not. */
  inferenceLatency: 20,
  inferenceThroughput: 5,
  /** Mean held-out exact match on the toy tasks it was measured on. */
  quality: 20,
  /** The survey's findings (their points add up to at most 15). */
  survey: 15,
} as const;

/** Points for fitting with each memory saver, of WEIGHTS.memory. */
export const STEP_POINTS: Record<MemoryStep, number> = { 'as-given': 20, checkpointing: 14, nf4: 8 };
/** Above this share of the GPU's memory a fit counts as tight (no room for a longer batch or a
 * framework's extra buffers), and loses TIGHT_PENALTY points. */
export const TIGHT_SHARE = 0.9;
export const TIGHT_PENALTY = 4;
/** Storage: full points at or below 1% of the base model’s size for all tasks, none at 100× or above, log scale between. */
export const STORAGE_FULL_RATIO = 0.01;
export const STORAGE_ZERO_RATIO = 100;
/** Extra inference compute at which an unmergeable method's inference points reach 0. */
export const INFERENCE_ZERO_SHARE = 0.05;
/** Quality points of a method not measured on the toy: half, neither credit nor penalty. */
export const UNMEASURED_QUALITY = WEIGHTS.quality / 2;

export type Criterion = 'memory' | 'storage' | 'inference' | 'quality' | 'survey';

export interface ScorePart {
  criterion: Criterion;
  points: number;
  max: number;
  /** The reason, with its numbers. */
  text: string;
  /** The survey findings behind a `survey` part, each with its citation. */
  findings?: SurveyFinding[];
}

export interface Recommendation {
  rank: number;
  id: string;
  name: string;
  score: number;
  maxScore: number;
  parts: ScorePart[];
  /** The memory step that fits and its bytes. */
  fit: { step: MemoryStep; bytes: number };
  storedBytes: number;
  /** Notes that explain without scoring (survey findings with 0 points). */
  notes: SurveyFinding[];
  methodHref: string;
  calculatorHref: string;
}

export interface DoesNotFit {
  id: string;
  name: string;
  /** The smallest memory it needs, with the step that gets it there. */
  step: MemoryStep;
  bytes: number;
}

export interface GuideAnswer {
  modelName: string;
  capacityBytes: number;
  /** The base model's weights in bf16: what storage is compared with. */
  baseBytes: number;
  setup: TrainingSetup;
  ranked: Recommendation[];
  /** Smallest memory first. */
  doesNotFit: DoesNotFit[];
  notApplicable: { id: string; name: string; reason: string }[];
  /** When nothing fits: the method that needs least, and how much. */
  smallestNeeded: DoesNotFit | null;
}

const GIB = 2 ** 30;
const round1 = (x: number) => Math.round(x * 10) / 10;

/** GiB with one decimal (two below 1 GiB), as the memory input is given. */
export function formatGiB(bytes: number): string {
  const g = bytes / GIB;
  return `${g < 1 ? g.toFixed(2) : g.toFixed(1)} GiB`;
}

/** Decimal units, as storage is sold. */
export function formatStorage(bytes: number): string {
  if (bytes >= 1e12) return `${(bytes / 1e12).toFixed(1)} TB`;
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} KB`;
}

function sharePercent(x: number): string {
  const p = x * 100;
  return `${p < 0.1 ? p.toFixed(3) : p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}

export function memoryPart(fit: { step: MemoryStep; bytes: number }, capacity: number): ScorePart {
  const used = fit.bytes / capacity;
  const tight = used > TIGHT_SHARE;
  const points = STEP_POINTS[fit.step] - (tight ? TIGHT_PENALTY : 0);
  const how =
    fit.step === 'as-given'
      ? 'fits as given'
      : fit.step === 'checkpointing'
        ? 'fits only with gradient checkpointing (one more forward pass per step)'
        : 'fits only with 4-bit NF4 base weights (as QLoRA) and gradient checkpointing';
  const text = `Needs ${formatGiB(fit.bytes)} of ${formatGiB(capacity)} (${sharePercent(used)}): ${how}${tight ? '; tight, above 90% of the GPU' : ''}.`;
  return { criterion: 'memory', points, max: WEIGHTS.memory, text };
}

export function storagePart(checkpoint: number, tasks: number, baseBytes: number): ScorePart {
  const stored = checkpoint * tasks;
  const ratio = stored / baseBytes;
  const span = Math.log10(STORAGE_ZERO_RATIO / STORAGE_FULL_RATIO);
  const frac = ratio <= 0 ? 1 : Math.min(1, Math.max(0, Math.log10(STORAGE_ZERO_RATIO / ratio) / span));
  const points = round1(WEIGHTS.storage * frac);
  const text = `${tasks.toLocaleString('en-US')} task${tasks === 1 ? '' : 's'} × ${formatStorage(checkpoint)} checkpoint = ${formatStorage(stored)}, ${sharePercent(ratio)} of the base model’s ${formatStorage(baseBytes)} (bf16).`;
  return { criterion: 'storage', points, max: WEIGHTS.storage, text };
}

export function inferencePart(f: Pick<MethodFacts, 'inference' | 'extraInferenceShare'>, latency: boolean): ScorePart {
  const max = latency ? WEIGHTS.inferenceLatency : WEIGHTS.inferenceThroughput;
  if (f.inference === 'mergeable') return { criterion: 'inference', points: max, max, text: 'Merges into the base weights after training: no extra inference compute.' };
  if (f.inference === 'unchanged') return { criterion: 'inference', points: max, max, text: 'Serves with the model’s own structure: no extra inference compute.' };
  // Unmerged modules or tokens run at every step whatever their size: with latency, at most half the points.
  const left = Math.max(0, 1 - f.extraInferenceShare / INFERENCE_ZERO_SHARE);
  const points = round1((latency ? max / 2 : max) * left);
  const what = f.inference === 'longer-input' ? 'a longer input (prompt or prefix)' : 'extra modules';
  const text = `Cannot be merged: ${what} add about ${sharePercent(f.extraInferenceShare)} compute per token${latency ? ', and latency matters' : ''}.`;
  return { criterion: 'inference', points, max, text };
}

export function qualityPart(results: readonly ToyResult[] | undefined): ScorePart {
  const max = WEIGHTS.quality;
  if (!results || results.length === 0) {
    return { criterion: 'quality', points: UNMEASURED_QUALITY, max, text: `Not measured on the toy yet: counted as ${UNMEASURED_QUALITY} of ${max}, neither credit nor penalty.` };
  }
  const mean = results.reduce((s, r) => s + r.mean, 0) / results.length;
  const each = results.map((r) => `${r.task} ${r.mean.toFixed(2)} ± ${r.std.toFixed(2)} (${r.n} seed${r.n === 1 ? '' : 's'})`).join(', ');
  return { criterion: 'quality', points: round1(max * mean), max, text: `Toy held-out exact match: ${each}; mean ${mean.toFixed(2)}.` };
}

export function surveyPart(findings: readonly SurveyFinding[]): ScorePart | null {
  const scoring = findings.filter((f) => f.points > 0);
  if (scoring.length === 0) return null;
  const points = Math.min(WEIGHTS.survey, scoring.reduce((s, f) => s + f.points, 0));
  const text = scoring.map((f) => `${f.text} (${f.cite})`).join('; ');
  return { criterion: 'survey', points, max: WEIGHTS.survey, text: `The survey: ${text}.`, findings: scoring };
}

/** Ranks one method's facts; the answer's order follows `score`, then less memory, then the registry's order. */
export function scoreMethod(f: MethodFacts, fit: { step: MemoryStep; bytes: number }, input: Pick<GuideInput, 'tasks' | 'latency'>, capacity: number, baseBytes: number, toy: ToyResults) {
  const survey = surveyPart(f.surveyFindings);
  const parts = [memoryPart(fit, capacity), storagePart(f.checkpointBytes, input.tasks, baseBytes), inferencePart(f, input.latency), qualityPart(toy[f.id]), ...(survey ? [survey] : [])];
  const score = round1(parts.reduce((s, p) => s + p.points, 0));
  const maxScore = WEIGHTS.memory + WEIGHTS.storage + (input.latency ? WEIGHTS.inferenceLatency : WEIGHTS.inferenceThroughput) + WEIGHTS.quality + WEIGHTS.survey;
  return { score, maxScore, parts };
}

function calculatorHref(modelId: string, methodId: string, setup: TrainingSetup): string {
  const params = new URLSearchParams({ model: modelId, method: methodId, ...setupToText(setup) });
  return `/calculator/?${params.toString()}`;
}

type Facts = ReturnType<typeof methodFacts>;
/** The facts depend on the model and setup only: memory, tasks and latency re-score without
 * recomputing them. A few recent entries are kept (the form changes one field at a time). */
const factsCache = new Map<string, Facts[]>();
const FACTS_CACHE_SIZE = 8;

function allFacts(model: ModelInfo, setup: TrainingSetup, methods: readonly PeftMethod[]): Facts[] {
  const key = JSON.stringify([model.id, setup.batchSize, setup.sequenceLength, methods.map((m) => m.id)]);
  const hit = factsCache.get(key);
  if (hit) return hit;
  const facts = methods.map((m) => methodFacts(m, model, setup));
  if (factsCache.size >= FACTS_CACHE_SIZE) factsCache.delete(factsCache.keys().next().value as string);
  factsCache.set(key, facts);
  return facts;
}

/** The ranked answer. Deterministic: the same input gives the same order and numbers. */
export function rankMethods(input: GuideInput, toy: ToyResults = {}, methods: readonly PeftMethod[] = METHODS): GuideAnswer {
  const setup = baseSetup(input);
  const capacity = input.memoryGiB * GIB;
  const baseBytes = 2 * totalParams(input.model.arch);
  const ranked: Omit<Recommendation, 'rank'>[] = [];
  const doesNotFit: DoesNotFit[] = [];
  const notApplicable: GuideAnswer['notApplicable'] = [];
  allFacts(input.model, setup, methods).forEach((f) => {
    if ('notApplicable' in f) {
      notApplicable.push({ id: f.id, name: f.name, reason: f.notApplicable });
      return;
    }
    const fit = f.memory.find((m) => m.bytes <= capacity);
    if (!fit) {
      const least = f.memory.reduce((a, b) => (b.bytes < a.bytes ? b : a));
      doesNotFit.push({ id: f.id, name: f.name, step: least.step, bytes: least.bytes });
      return;
    }
    const { score, maxScore, parts } = scoreMethod(f, fit, input, capacity, baseBytes, toy);
    ranked.push({
      id: f.id,
      name: f.name,
      score,
      maxScore,
      parts,
      fit,
      storedBytes: f.checkpointBytes * input.tasks,
      notes: f.surveyFindings.filter((s) => s.points === 0),
      methodHref: `/methods/${f.id}/`,
      calculatorHref: calculatorHref(input.model.id, f.id, stepSetup(fit.step, setup)),
    });
  });
  // Array.prototype.sort is stable: ties keep the registry's order.
  ranked.sort((a, b) => b.score - a.score || a.fit.bytes - b.fit.bytes);
  doesNotFit.sort((a, b) => a.bytes - b.bytes);
  return {
    modelName: input.model.name,
    capacityBytes: capacity,
    baseBytes,
    setup,
    ranked: ranked.map((r, i) => ({ ...r, rank: i + 1 })),
    doesNotFit,
    notApplicable,
    smallestNeeded: ranked.length === 0 ? (doesNotFit[0] ?? null) : null,
  };
}
