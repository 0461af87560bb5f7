import { BOS, EOS, PAD, encode } from './tokenizer';
import { type Rng, pick, randInt } from './random';

/**
 * Synthetic language for the toy model. Pretraining sees two kinds of lines: sentences of words
 * that mostly share a topic, and "copy" lines (`qzk>qzk.`). The downstream tasks reuse that
 * language in a form pretraining never showed, so the base model scores near zero on them.
 */

export const TOPICS = {
  animal: ['cat', 'dog', 'cow', 'pig', 'hen', 'fox', 'owl', 'bee', 'yak', 'eel'],
  color: ['red', 'blue', 'green', 'pink', 'gray', 'gold', 'teal', 'tan', 'lime', 'navy'],
  food: ['rice', 'bread', 'cake', 'soup', 'milk', 'pear', 'plum', 'corn', 'egg', 'bean'],
  tool: ['saw', 'axe', 'drill', 'rake', 'hoe', 'file', 'vise', 'awl', 'wrench', 'pick'],
} as const;
export type Topic = keyof typeof TOPICS;
const TOPIC_NAMES = Object.keys(TOPICS) as Topic[];

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const MAX_LINE = 30;
/** BOS + prompt + target + EOS may be one token longer than the 32-token context: the last token
 * is only ever a label. */
export const MAX_EXAMPLE_CHARS = 31;

export interface Example {
  prompt: string;
  /** What the model must produce after the prompt; ends with '.'. */
  target: string;
}

export const TASK_IDS = ['topic', 'stray', 'pair', 'first', 'shift', 'reverse', 'echo'] as const;
export type TaskId = (typeof TASK_IDS)[number];

export interface Task {
  id: TaskId;
  name: string;
  description: string;
  /** Tasks over the same inputs belong together: transfer methods take their sources from here. */
  group: 'words' | 'letters';
  /** For a classification task, its answers (each target is `${class}.`): methods that train a
   * head over classes instead of the LM head (WARP, P-Tuning v2) run only on these. */
  classes?: readonly string[];
  /** The held-out exact match a run aims for: the playground can stop there, and the benchmarks
   * and the race measure steps and seconds to reach it. A level full fine-tuning passes well within
   * the default 300 steps and good PEFT runs reach too (content/data/toy-benchmark.json); "stray"
   * is hard at this scale (PEFT runs end near 40%), so its target is lower. */
  target: number;
  sample(rng: Rng): Example;
}

function randomLetters(rng: Rng, min: number, max: number): string {
  let s = '';
  for (let n = randInt(rng, min, max); n > 0; n--) s += pick(rng, [...LETTERS]);
  return s;
}

function otherTopic(rng: Rng, topic: Topic): Topic {
  return pick(rng, TOPIC_NAMES.filter((t) => t !== topic));
}

/** One pretraining line: a topical sentence or a copy line, half and half. */
export function corpusLine(rng: Rng): string {
  if (rng() < 0.5) {
    const word = randomLetters(rng, 2, 6);
    return `${word}>${word}.`;
  }
  const topic = pick(rng, TOPIC_NAMES);
  const words: string[] = [];
  for (let n = randInt(rng, 3, 6); n > 0; n--) {
    const word = pick(rng, TOPICS[rng() < 0.15 ? otherTopic(rng, topic) : topic]);
    // Keep BOS + line + EOS within the 32-token context.
    if (words.join(' ').length + word.length + 2 > MAX_LINE) break;
    words.push(word);
  }
  return `${words.join(' ')}.`;
}

interface TopicWords {
  topic: Topic;
  stray: Topic;
  words: string[];
}

/** A words-group example: four words, three of one topic and one stray, in random order, asked
 * with "?"; `answer` picks the target. */
function topicWordsExample(rng: Rng, answer: (w: TopicWords) => string): Example {
  for (;;) {
    const topic = pick(rng, TOPIC_NAMES);
    const words = [0, 1, 2].map(() => pick(rng, TOPICS[topic]));
    const at = randInt(rng, 0, 3);
    const stray = otherTopic(rng, topic);
    words.splice(at, 0, pick(rng, TOPICS[stray]));
    const example = { prompt: `${words.join(' ')}?`, target: `${answer({ topic, stray, words })}.` };
    // Three long tool words and a long stray word overflow the context (about 1 draw in 10,000):
    // draw again, which leaves every example that fits, and the stream before it, unchanged.
    if (example.prompt.length + example.target.length <= MAX_EXAMPLE_CHARS) return example;
  }
}

function shiftLetters(word: string, by: number): string {
  return [...word].map((c) => LETTERS[(LETTERS.indexOf(c) + by) % 26]).join('');
}

/**
 * The toy task family: three classification tasks and an extraction over the same topical words,
 * three string rewrites over random letters. Related tasks share inputs, so a prompt or module
 * learnt on one has something to give another; the two groups share little.
 */
export const TASKS: readonly Task[] = [
  {
    id: 'topic',
    target: 0.75,
    name: 'Topic classification',
    description: 'Name the topic most of four words share: "cat owl red dog?" → "animal."',
    group: 'words',
    classes: TOPIC_NAMES,
    sample: (rng) => topicWordsExample(rng, (w) => w.topic),
  },
  {
    id: 'stray',
    target: 0.3,
    name: 'Odd one out',
    description: 'Name the topic of the one word that does not fit: "cat owl red dog?" → "color."',
    group: 'words',
    classes: TOPIC_NAMES,
    sample: (rng) => topicWordsExample(rng, (w) => w.stray),
  },
  {
    id: 'pair',
    target: 0.75,
    name: 'Same topic?',
    description: 'Say whether two words share a topic: "cat owl?" → "yes.", "cat red?" → "no."',
    group: 'words',
    classes: ['yes', 'no'],
    sample(rng) {
      const topic = pick(rng, TOPIC_NAMES);
      const same = rng() < 0.5;
      const second = same ? topic : otherTopic(rng, topic);
      return { prompt: `${pick(rng, TOPICS[topic])} ${pick(rng, TOPICS[second])}?`, target: same ? 'yes.' : 'no.' };
    },
  },
  {
    id: 'first',
    target: 0.9,
    name: 'First word',
    description: 'Repeat the first of four words: "cat owl red dog?" → "cat."',
    group: 'words',
    sample: (rng) => topicWordsExample(rng, (w) => w.words[0] as string),
  },
  {
    id: 'shift',
    target: 0.9,
    name: 'Letter shift',
    description: 'Rewrite a word with every letter moved one place on: "cab>" → "dbc." (pretraining only ever copied after ">")',
    group: 'letters',
    sample(rng) {
      const word = randomLetters(rng, 3, 5);
      return { prompt: `${word}>`, target: `${shiftLetters(word, 1)}.` };
    },
  },
  {
    id: 'reverse',
    target: 0.9,
    name: 'Reverse',
    description: 'Write a word backwards: "cab>" → "bac." (the same prompt as a pretraining copy line)',
    group: 'letters',
    sample(rng) {
      const word = randomLetters(rng, 3, 5);
      return { prompt: `${word}>`, target: `${[...word].reverse().join('')}.` };
    },
  },
  {
    id: 'echo',
    target: 0.9,
    name: 'Echo',
    description: 'Copy a word after "=" instead of ">": "cab=" → "cab." (pretraining copied only after ">")',
    group: 'letters',
    sample(rng) {
      const word = randomLetters(rng, 2, 6);
      return { prompt: `${word}=`, target: `${word}.` };
    },
  },
];

export function findTask(id: string): Task {
  const task = TASKS.find((t) => t.id === id);
  if (!task) throw new RangeError(`unknown task "${id}" (known: ${TASKS.map((t) => t.id).join(', ')})`);
  return task;
}

/** Whether a method can train on `task` on the toy: null, or a sentence saying why not. */
export function taskProblem(method: { name: string; toyTasks?: 'classification' }, task: Task): string | null {
  if (method.toyTasks === 'classification' && !task.classes) {
    return `${method.name} trains a head over a task's classes, and "${task.name}" has none: pick a classification task.`;
  }
  return null;
}

/** Token ids laid out for next-token training: `labels[t]` is the token after `inputs[t]`. */
export interface Batch {
  size: number;
  length: number;
  inputs: Int32Array;
  labels: Int32Array;
  /** 1 where the label counts towards loss and accuracy. */
  mask: Float32Array;
  /** Tokens before the answer in each row, BOS included: the answer's first token is predicted at
   * input position `promptLengths[b] − 1`. The whole line for pretraining batches. */
  promptLengths: Int32Array;
  /** Each row's class index, for a batch of a classification task's examples. */
  classIds?: Int32Array;
}

function layout(rows: { tokens: number[]; scoredFrom: number }[], length: number): Batch {
  const size = rows.length;
  const inputs = new Int32Array(size * length).fill(PAD);
  const labels = new Int32Array(size * length).fill(PAD);
  const mask = new Float32Array(size * length);
  const promptLengths = new Int32Array(rows.map((r) => r.scoredFrom));
  rows.forEach(({ tokens, scoredFrom }, b) => {
    if (tokens.length > length + 1) throw new RangeError(`a sequence of ${tokens.length} tokens exceeds the context of ${length}`);
    for (let t = 0; t < tokens.length - 1; t++) {
      inputs[b * length + t] = tokens[t] as number;
      labels[b * length + t] = tokens[t + 1] as number;
      if (t + 1 >= scoredFrom) mask[b * length + t] = 1;
    }
  });
  return { size, length, inputs, labels, mask, promptLengths };
}

/** A batch of task examples; only the target (and its end token) is scored. With `classes` (a
 * classification task's), each row's class index comes along. */
export function exampleBatch(examples: readonly Example[], length: number, classes?: readonly string[]): Batch {
  const batch = layout(
    examples.map(({ prompt, target }) => {
      const p = [BOS, ...encode(prompt)];
      return { tokens: [...p, ...encode(target), EOS], scoredFrom: p.length };
    }),
    length,
  );
  if (!classes) return batch;
  const classIds = new Int32Array(examples.map(({ target }) => classes.indexOf(target.slice(0, -1))));
  if (classIds.includes(-1)) throw new RangeError(`an example's target is not one of the classes ${classes.join(', ')}`);
  return { ...batch, classIds };
}

/** A batch of `size` fresh examples of a task, with class indices when it has classes. */
export function taskBatch(task: Task, rng: Rng, size: number, length: number): Batch {
  return exampleBatch(Array.from({ length: size }, () => task.sample(rng)), length, task.classes);
}

/** A batch of pretraining lines; every real token is scored. */
export function corpusBatch(lines: readonly string[], length: number): Batch {
  return layout(lines.map((line) => ({ tokens: [BOS, ...encode(line), EOS], scoredFrom: 1 })), length);
}
