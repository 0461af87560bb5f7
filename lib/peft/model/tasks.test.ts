import { describe, expect, it } from 'vitest';
import { createRng } from './random';
import { TASKS, TASK_IDS, TOPICS, exampleBatch, findTask, taskBatch, taskProblem } from './tasks';
import { BOS, encode } from './tokenizer';

/** The toy task family: what each task asks, and what transfer methods rely on. */

const draw = (id: string, n: number, seed = 11) => {
  const rng = createRng(seed);
  const task = findTask(id);
  return Array.from({ length: n }, () => task.sample(rng));
};
const topicOf = (word: string) => Object.entries(TOPICS).find(([, words]) => (words as readonly string[]).includes(word))?.[0];

describe('the toy task family', () => {
  it('has at least six tasks in two groups, each group with related tasks, and three with classes', () => {
    expect(TASKS.map((t) => t.id)).toEqual([...TASK_IDS]);
    expect(TASKS.length).toBeGreaterThanOrEqual(6);
    for (const group of ['words', 'letters'] as const) expect(TASKS.filter((t) => t.group === group).length).toBeGreaterThanOrEqual(2);
    expect(TASKS.filter((t) => t.classes).map((t) => t.id)).toEqual(['topic', 'stray', 'pair']);
  });

  it('answers each words task from the same four-word inputs: the majority topic, the stray topic, the first word', () => {
    for (const id of ['topic', 'stray', 'first']) {
      for (const { prompt, target } of draw(id, 300)) {
        const words = prompt.slice(0, -1).split(' ');
        expect(words).toHaveLength(4);
        const topics = words.map(topicOf);
        const majority = topics.find((t) => topics.filter((u) => u === t).length === 3);
        const stray = topics.find((t) => t !== majority);
        const expected = { topic: majority, stray, first: words[0] }[id];
        expect(target, `${id}: ${prompt}`).toBe(`${expected}.`);
      }
    }
  });

  it('pair says yes exactly when both words share a topic, about half the time', () => {
    const xs = draw('pair', 2000);
    for (const { prompt, target } of xs) {
      const [a, b] = prompt.slice(0, -1).split(' ') as [string, string];
      expect(target).toBe(topicOf(a) === topicOf(b) ? 'yes.' : 'no.');
    }
    const yes = xs.filter((x) => x.target === 'yes.').length / xs.length;
    expect(yes).toBeGreaterThan(0.45);
    expect(yes).toBeLessThan(0.55);
  });

  it('reverse writes the word backwards and echo copies it after "="', () => {
    for (const { prompt, target } of draw('reverse', 100)) expect(target).toBe(`${[...prompt.slice(0, -1)].reverse().join('')}.`);
    for (const { prompt, target } of draw('echo', 100)) {
      expect(prompt.endsWith('=')).toBe(true);
      expect(target).toBe(`${prompt.slice(0, -1)}.`);
    }
  });

  it('keeps the first two tasks as they were: topic and shift draw the same examples from a seed', () => {
    // The first draws of seed 0, as the two tasks drew them before the family grew (commit 1df4fdd).
    expect(draw('topic', 2, 0)).toEqual([
      { prompt: 'red plum green blue?', target: 'color.' },
      { prompt: 'hoe milk pear cake?', target: 'food.' },
    ]);
    expect(draw('shift', 2, 0)).toEqual([
      { prompt: 'afd>', target: 'bge.' },
      { prompt: 'opql>', target: 'pqrm.' },
    ]);
    // topic and stray consume the stream identically, so their nth examples share the prompt.
    expect(draw('topic', 50).map((x) => x.prompt)).toEqual(draw('stray', 50).map((x) => x.prompt));
    expect(draw('shift', 50).map((x) => x.prompt)).toEqual(draw('reverse', 50).map((x) => x.prompt));
  });

  it('lays out class indices and where each answer starts', () => {
    const task = findTask('topic');
    const batch = taskBatch(task, createRng(4), 16, 32);
    expect(batch.classIds).toHaveLength(16);
    const examples = draw('topic', 16, 4);
    examples.forEach(({ prompt, target }, b) => {
      expect(task.classes![batch.classIds![b]!]).toBe(target.slice(0, -1));
      expect(batch.promptLengths[b]).toBe(1 + prompt.length);
      // The answer's first token is the label at the prompt's last position, the first scored one.
      const at = b * 32 + batch.promptLengths[b]! - 1;
      expect(batch.labels[at]).toBe(encode(target)[0]);
      expect(batch.mask[at]).toBe(1);
      expect(batch.mask[at - 1]).toBe(0);
      expect(batch.inputs[b * 32]).toBe(BOS);
    });
    expect(taskBatch(findTask('shift'), createRng(4), 4, 32).classIds).toBeUndefined();
    expect(() => exampleBatch([{ prompt: 'cat dog?', target: 'maybe.' }], 32, ['yes', 'no'])).toThrow(/not one of the classes/);
  });

  it('says which tasks a class-head method cannot run, in a sentence', () => {
    const warpLike = { name: 'A class head', toyTasks: 'classification' as const };
    expect(TASKS.filter((t) => taskProblem(warpLike, t) === null).map((t) => t.id)).toEqual(['topic', 'stray', 'pair']);
    expect(taskProblem(warpLike, findTask('echo'))).toMatch(/A class head trains a head over a task's classes, and "Echo" has none/);
    expect(TASKS.every((t) => taskProblem({ name: 'LoRA' }, t) === null)).toBe(true);
    expect(() => findTask('sort')).toThrow(/unknown task "sort"/);
  });
});
