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

export interface Task {
  id: 'topic' | 'shift';
  name: string;
  description: string;
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

export const TASKS: readonly Task[] = [
  {
    id: 'topic',
    name: 'Topic classification',
    description: 'Name the topic most of four words share: "cat owl red dog?" → "animal."',
    sample(rng) {
      // Three long tool words and a long stray word overflow the context (about 1 draw in 10,000):
      // draw again, which leaves every example that fits, and the stream before it, unchanged.
      for (;;) {
        const topic = pick(rng, TOPIC_NAMES);
        const words = [0, 1, 2].map(() => pick(rng, TOPICS[topic]));
        words.splice(randInt(rng, 0, 3), 0, pick(rng, TOPICS[otherTopic(rng, topic)]));
        const example = { prompt: `${words.join(' ')}?`, target: `${topic}.` };
        if (example.prompt.length + example.target.length <= MAX_EXAMPLE_CHARS) return example;
      }
    },
  },
  {
    id: 'shift',
    name: 'Letter shift',
    description: 'Rewrite a word with every letter moved one place on: "cab>" → "dbc." (pretraining only ever copied after ">")',
    sample(rng) {
      const word = randomLetters(rng, 3, 5);
      const shifted = [...word].map((c) => LETTERS[(LETTERS.indexOf(c) + 1) % 26]).join('');
      return { prompt: `${word}>`, target: `${shifted}.` };
    },
  },
];

export function findTask(id: string): Task {
  const task = TASKS.find((t) => t.id === id);
  if (!task) throw new RangeError(`unknown task "${id}" (known: ${TASKS.map((t) => t.id).join(', ')})`);
  return task;
}

/** Token ids laid out for next-token training: `labels[t]` is the token after `inputs[t]`. */
export interface Batch {
  size: number;
  length: number;
  inputs: Int32Array;
  labels: Int32Array;
  /** 1 where the label counts towards loss and accuracy. */
  mask: Float32Array;
}

function layout(rows: { tokens: number[]; scoredFrom: number }[], length: number): Batch {
  const size = rows.length;
  const inputs = new Int32Array(size * length).fill(PAD);
  const labels = new Int32Array(size * length).fill(PAD);
  const mask = new Float32Array(size * length);
  rows.forEach(({ tokens, scoredFrom }, b) => {
    if (tokens.length > length + 1) throw new RangeError(`a sequence of ${tokens.length} tokens exceeds the context of ${length}`);
    for (let t = 0; t < tokens.length - 1; t++) {
      inputs[b * length + t] = tokens[t] as number;
      labels[b * length + t] = tokens[t + 1] as number;
      if (t + 1 >= scoredFrom) mask[b * length + t] = 1;
    }
  });
  return { size, length, inputs, labels, mask };
}

/** A batch of task examples; only the target (and its end token) is scored. */
export function exampleBatch(examples: readonly Example[], length: number): Batch {
  return layout(
    examples.map(({ prompt, target }) => {
      const p = [BOS, ...encode(prompt)];
      return { tokens: [...p, ...encode(target), EOS], scoredFrom: p.length };
    }),
    length,
  );
}

/** A batch of pretraining lines; every real token is scored. */
export function corpusBatch(lines: readonly string[], length: number): Batch {
  return layout(lines.map((line) => ({ tokens: [BOS, ...encode(line), EOS], scoredFrom: 1 })), length);
}
