import { describe, expect, it } from 'vitest';
import { METHODS, findPeftMethod } from '@/lib/peft/registry';
import { TASKS, taskProblem } from '@/lib/peft/model/tasks';
import { raceRequest } from './race-request';

describe('a lane’s run request', () => {
  it('is the playground default for every method on every task it can train on', () => {
    let runs = 0;
    for (const method of METHODS) {
      for (const task of TASKS) {
        const made = raceRequest(method, task.id, 20);
        if (taskProblem(method, task)) {
          expect(made).toEqual({ error: taskProblem(method, task) });
          continue;
        }
        expect(made, `${method.id} on ${task.id}`).toMatchObject({ request: { method: method.id, task: task.id, steps: 20, learningRate: method.toyLearningRate, batchSize: 16, seed: 0, evalEvery: 10 } });
        runs++;
      }
    }
    // Three class-head methods run on the three classification tasks only.
    expect(runs).toBe(METHODS.length * TASKS.length - 3 * 4);
  });

  it('sets a class head to the task’s number of classes', () => {
    const warp = findPeftMethod('warp');
    const topic = raceRequest(warp, 'topic', 50);
    const pair = raceRequest(warp, 'pair', 50);
    const key = warp.hyperparams.find((h) => h.toyFromTask === 'classes')?.key as string;
    expect('request' in topic && topic.request.config[key]).toBe(4);
    expect('request' in pair && pair.request.config[key]).toBe(2);
  });

  it('carries the playground’s step limits', () => {
    expect(raceRequest(findPeftMethod('lora'), 'topic', 5)).toEqual({ error: 'LoRA: Steps must be between 10 and 2000' });
  });
});
