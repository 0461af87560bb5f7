import { describe, expect, it } from 'vitest';
import { findPeftMethod } from '@/lib/peft/registry';
import { initialForm, readForm, tasksFor, withTaskValues } from './settings';

describe('playground form', () => {
  const lora = findPeftMethod('lora');

  it('starts from the method defaults and describes a valid run', () => {
    const form = initialForm(lora);
    const read = readForm(lora, form);
    expect('request' in read && read.request).toMatchObject({ method: 'lora', steps: 300, batchSize: 16, config: { r: 8, targets: ['q_proj', 'v_proj'] } });
  });

  it.each([
    [{ hyper: { r: '0' } }, 'Rank r must be between 1 and 1024'],
    [{ hyper: { r: '' } }, 'Rank r must be a number'],
    [{ hyper: { r: '2.5' } }, 'Rank r must be a whole number'],
    [{ hyper: { targets: [] } }, 'Target modules needs at least one module'],
    [{ steps: '-5' }, 'Steps must be between 10 and 2000'],
    [{ learningRate: 'fast' }, 'Learning rate must be a number'],
    [{ batchSize: '1e9' }, 'Batch size must be between 1 and 64'],
  ])('rejects %j with "%s"', (change, message) => {
    const form = initialForm(lora);
    const next = { ...form, ...change, hyper: { ...form.hyper, ...(change as { hyper?: object }).hyper } };
    expect(readForm(lora, next)).toEqual({ error: message });
  });

  it('opens each method on its own task, lists only the tasks it can run, and takes a class head width from the task', () => {
    const warp = findPeftMethod('warp');
    expect(tasksFor(warp).map((t) => t.id)).toEqual(['topic', 'stray', 'pair']);
    expect(tasksFor(lora)).toHaveLength(7);
    expect(initialForm(findPeftMethod('prompt-tuning')).task).toBe('pair');
    const onTopic = initialForm(warp);
    expect(onTopic.task).toBe('topic');
    expect(onTopic.hyper.classes).toBe('4');
    // Typed 7 classes on the pair task: the task's 2 win, so the predicted count is what a run trains.
    const onPair = { ...onTopic, task: 'pair' as const, hyper: withTaskValues(warp, { ...onTopic.hyper, classes: '7' }, 'pair') };
    expect(onPair.hyper.classes).toBe('2');
    const read = readForm(warp, { ...onPair, hyper: { ...onPair.hyper, classes: '7' } });
    expect('config' in read && read.config.classes).toBe(2);
  });
});
