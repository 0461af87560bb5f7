import type { PeftMethod } from '@/lib/peft/method-api/types';
import { findTask, taskProblem, type TaskId } from '@/lib/peft/model/tasks';
import type { RunRequest } from '@/lib/peft/train/protocol';
import { initialForm, readForm, withTaskValues } from '@/components/playground/settings';

/**
 * The run one lane asks its worker for: the method's playground defaults on the toy (its
 * hyperparameters, its own toy learning rate, batch 16, held-out evaluation every 10 steps) on the
 * race's task and steps. Every lane has seed 0, so all see the same batches and held-out set.
 */
export function raceRequest(method: PeftMethod, task: TaskId, steps: number): { request: RunRequest } | { error: string } {
  const problem = taskProblem(method, findTask(task));
  if (problem) return { error: problem };
  const form = initialForm(method);
  const read = readForm(method, { ...form, task, steps: String(steps), hyper: withTaskValues(method, form.hyper, task) });
  return 'request' in read ? { request: read.request } : { error: `${method.name}: ${read.error}` };
}
