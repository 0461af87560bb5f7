/**
 * Character-level vocabulary of the toy model: three special tokens, five punctuation marks,
 * the 26 lowercase letters and ten digits (44 tokens).
 */
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

const SPECIAL = ['<pad>', '<bos>', '<eos>'];
const CHARS = ' .?>=abcdefghijklmnopqrstuvwxyz0123456789';

export const VOCAB: readonly string[] = [...SPECIAL, ...CHARS];
const INDEX = new Map(VOCAB.map((t, i) => [t, i]));

export function encode(text: string): number[] {
  return [...text].map((ch) => {
    const id = INDEX.get(ch);
    if (id === undefined || id < SPECIAL.length) throw new RangeError(`the toy vocabulary has no character "${ch}"`);
    return id;
  });
}

/** Text of `ids`, stopping at the first end-of-sequence or padding token. */
export function decode(ids: readonly number[]): string {
  let out = '';
  for (const id of ids) {
    if (id === EOS || id === PAD) break;
    if (id !== BOS) out += VOCAB[id] ?? '';
  }
  return out;
}
