import { describe, expect, it } from 'vitest';
import { findPeftMethod } from '@/lib/peft/registry';
import { initialForm, readForm } from './settings';

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
});
