import { resolveConfig, toyConfig } from '@/lib/peft/method-api/config';
import { hyperFromText, numberFromText } from '@/lib/peft/input';
import type { MethodConfig, PeftMethod } from '@/lib/peft/method-api/types';
import { toyArchitecture } from '@/lib/peft/model/toy-arch';
import type { RunRequest } from '@/lib/peft/train/protocol';
import { TASKS, type Task, type TaskId, findTask, taskProblem } from '@/lib/peft/model/tasks';

/** What the playground's form holds: text as typed, so a half-typed number is not lost. */
export interface PlaygroundForm {
  hyper: Record<string, string | string[]>;
  task: RunRequest['task'];
  steps: string;
  learningRate: string;
  batchSize: string;
}

export const TOY_ARCH = toyArchitecture();

/** Where a training worker fetches the shipped base model and TensorFlow.js's WASM binaries
 * (scripts/copy-static-assets.mjs puts them there): the playground and the race use both. */
export const WEIGHTS_URL = '/models/toy-base.bin';
export const WASM_PATH = '/tfjs/';

export function initialForm(method: PeftMethod): PlaygroundForm {
  const config = toyConfig(method, TOY_ARCH);
  const hyper: PlaygroundForm['hyper'] = {};
  for (const [k, v] of Object.entries(config)) hyper[k] = Array.isArray(v) ? v : String(v);
  const task = defaultTask(method);
  return { hyper: withTaskValues(method, hyper, task), task, steps: '300', learningRate: String(method.toyLearningRate), batchSize: '16' };
}

/** The tasks `method` can train on in the playground, in the family's order. */
export function tasksFor(method: Pick<PeftMethod, 'name' | 'toyTasks'>): Task[] {
  return TASKS.filter((t) => taskProblem(method, t) === null);
}

/** The task a method's playground opens on: its own choice, else the first it can train on. */
export function defaultTask(method: PeftMethod): TaskId {
  return method.toyTask ?? tasksFor(method)[0]?.id ?? 'topic';
}

/** The form's hyperparameters with those the toy takes from the task (a class head's width) set
 * from `task`. */
export function withTaskValues(method: PeftMethod, hyper: PlaygroundForm['hyper'], task: TaskId): PlaygroundForm['hyper'] {
  const classes = findTask(task).classes?.length;
  const out = { ...hyper };
  for (const h of method.hyperparams) if (h.toyFromTask === 'classes' && classes !== undefined) out[h.key] = String(classes);
  return out;
}

function numberIn(label: string, raw: string, min: number, max: number, integer: boolean): number {
  const v = numberFromText(raw);
  if (!Number.isFinite(v)) throw new RangeError(`${label} must be a number`);
  if (integer && !Number.isInteger(v)) throw new RangeError(`${label} must be a whole number`);
  if (v < min || v > max) throw new RangeError(`${label} must be between ${min} and ${max}`);
  return v;
}

/** The run the form describes, or the first problem with it as a sentence for the user. */
export function readForm(method: PeftMethod, form: PlaygroundForm): { request: RunRequest; config: MethodConfig } | { error: string } {
  try {
    const config = resolveConfig(method, TOY_ARCH, hyperFromText(method, withTaskValues(method, form.hyper, form.task)));
    const request: RunRequest = {
      method: method.id,
      config: { ...config },
      task: form.task,
      steps: numberIn('Steps', form.steps, 10, 2000, true),
      learningRate: numberIn('Learning rate', form.learningRate, 1e-5, 1, false),
      batchSize: numberIn('Batch size', form.batchSize, 1, 64, true),
      seed: 0,
      evalEvery: 10,
    };
    return { request, config };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
