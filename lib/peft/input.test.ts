import { describe, expect, it } from 'vitest';
import { DEFAULT_SETUP, SETUP_FIELDS } from './cost/setup';
import { cleanMessage, ECHO_LIMIT, hyperFromText, numberFromText, quoteValue, readBoolean, setupFromText, setupToText } from './input';
import { findPeftMethod } from './registry';

describe('numberFromText', () => {
  it.each([
    ['8', 8],
    [' 16 ', 16],
    ['-1', -1],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1e-3', 0.001],
    ['2E3', 2000],
  ])('reads the decimal %j as %d', (raw, value) => expect(numberFromText(raw)).toBe(value));

  it.each(['', ' ', '0x10', '0b11', '0o7', '1e', 'e3', 'Infinity', '-Infinity', 'NaN', '1_000', '8px', '1,5', '--1'])(
    'reads %j as no number at all',
    (raw) => expect(numberFromText(raw)).toBeNaN(),
  );
});

describe('readBoolean', () => {
  it.each(['1', 'true', 'TRUE', 'yes', 'Yes', 'on', ' ON '])('reads %j as on', (raw) => expect(readBoolean('x', raw)).toBe(true));
  it.each(['0', 'false', 'False', 'no', 'NO', 'off'])('reads %j as off', (raw) => expect(readBoolean('x', raw)).toBe(false));
  it.each(['', '2', 'y', 'maybe', 'truee'])('rejects %j', (raw) => expect(() => readBoolean('gradient checkpointing', raw)).toThrow(/gradient checkpointing must be one of 1, true, yes, on, 0, false, no, off/));
});

describe('echoed values', () => {
  it('cuts a long value and escapes control characters so it stays on one line', () => {
    const quoted = quoteValue(`${'a'.repeat(100_000)}`);
    expect(quoted).toBe(`"${'a'.repeat(ECHO_LIMIT)}…"`);
    expect(quoteValue('x\nerror: forged\r\t\u0007\u2028')).toBe('"x\\nerror: forged\\r\\t\\u0007\\u2028"');
  });

  it('cleans messages made elsewhere: every quoted value cut, no line breaks', () => {
    const message = cleanMessage(`unknown model "${'m'.repeat(5000)}\nerror: forged"; closest: gpt2`);
    expect(message).toBe(`unknown model "${'m'.repeat(ECHO_LIMIT)}…"; closest: gpt2`);
    expect(cleanMessage('unknown model "ab\ncd"')).toBe('unknown model "ab\\ncd"');
    expect(cleanMessage('x'.repeat(100_000)).length).toBeLessThanOrEqual(1001);
    expect(cleanMessage('x'.repeat(100_000))).not.toMatch(/\n/);
  });
});

describe('hyperFromText and setupFromText', () => {
  const lora = findPeftMethod('lora');

  it('reads numeric hyperparameters as decimals and names the setting when they are not', () => {
    expect(hyperFromText(lora, { r: '8', targets: 'q_proj' })).toEqual({ r: 8, targets: 'q_proj' });
    expect(() => hyperFromText(lora, { r: '0x10' })).toThrow(/must be a decimal number, got "0x10"/);
    expect(hyperFromText(lora, { r: '' }).r).toBeNaN(); // blank: the range check phrases it
  });

  const text = { batch: '4', seq: '256', precision: 'bf16', optimizer: 'adamw', checkpointing: '0' };

  it('reads the setup with the same number and yes/no parser', () => {
    expect(setupFromText(text)).toMatchObject({ batchSize: 4, sequenceLength: 256, gradientCheckpointing: false });
    expect(() => setupFromText({ ...text, batch: '0x10' })).toThrow(/batch size must be a decimal number, got "0x10"/);
    expect(() => setupFromText({ ...text, seq: 'Infinity' })).toThrow(/sequence length must be a decimal number/);
    expect(setupFromText({ ...text, checkpointing: 'off' }).gradientCheckpointing).toBe(false);
    expect(setupFromText({ ...text, checkpointing: 'Yes' }).gradientCheckpointing).toBe(true);
    expect(() => setupFromText({ ...text, checkpointing: 'maybe' })).toThrow(/gradient checkpointing must be one of/);
  });

  it('fills missing settings with the defaults, reads blanks of optional numbers as unset, and lists as comma-separated', () => {
    expect(setupFromText({})).toEqual(DEFAULT_SETUP);
    const s = setupFromText({ target: '128', mean: '', modules_to_save: ' lm_head, embed_tokens ,', chunked_loss: 'on', gpus: '8', sharding: 'zero3' });
    expect(s).toMatchObject({ targetLength: 128, meanLength: null, modulesToSave: ['lm_head', 'embed_tokens'], chunkedLoss: true, gpus: 8, sharding: 'zero3' });
  });

  it('writes only what differs from the defaults, and reads back what it wrote', () => {
    expect(setupToText(DEFAULT_SETUP)).toEqual({});
    const s = { ...DEFAULT_SETUP, batchSize: 2, meanLength: 300, modulesToSave: ['score'], optimizerInBackward: true };
    expect(setupToText(s)).toEqual({ batch: '2', mean: '300', modules_to_save: 'score', optimizer_in_backward: '1' });
    expect(setupFromText(setupToText(s))).toEqual(s);
    expect(Object.keys(setupToText(DEFAULT_SETUP, true))).toEqual(SETUP_FIELDS.map((f) => f.key));
  });
});
