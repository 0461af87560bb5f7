import { describe, expect, it } from 'vitest';
import { compareLowRank } from './compare';
import { DEFAULT_SETUP } from './cost/setup';
import { matmulParams } from './method-api/profile';
import { findModel } from './models';

const LLAMA = 'meta-llama/Llama-2-7b-hf';
const row = (rows: ReturnType<typeof compareLowRank>, id: string) => {
  const found = rows.find((r) => r.estimate.method.id === id);
  if (!found) throw new Error(`no row for ${id}`);
  return found;
};

describe('the low-rank family at one rank', () => {
  it('sets every member to the rank and, on request, to the same targets', () => {
    // Llama 2 7B, q and v, r = 8: 32 layers × 2 maps × (4096·8 + 8·4096), the count HF PEFT prints.
    const qv = compareLowRank(LLAMA, DEFAULT_SETUP, { rank: 8, targets: 'lora-defaults' });
    expect(row(qv, 'lora').estimate.trainable).toBe(4_194_304);
    expect(row(qv, 'qlora').estimate.trainable).toBe(4_194_304);
    expect(row(qv, 'adalora').estimate.config.initR).toBe(8);
    // Every linear map: per layer 4·(4096·8 + 8·4096) + 2·(4096·8 + 8·11008) + (11008·8 + 8·4096).
    const all = compareLowRank(LLAMA, DEFAULT_SETUP, { rank: 8, targets: 'all-linear' });
    expect(row(all, 'lora').estimate.trainable).toBe(32 * (4 * 65_536 + 2 * 120_832 + 120_832));
    expect(row(compareLowRank(LLAMA, DEFAULT_SETUP, { rank: 16, targets: 'lora-defaults' }), 'lora').estimate.trainable).toBe(2 * 4_194_304);
    for (const r of all) expect(r.estimate.config[r.estimate.method.rankParam as string], r.estimate.method.id).toBe(8);
  });

  it('says what serving unmerged keeps: the saved tensors and 2 FLOPs per added matrix scalar', () => {
    const lora = row(compareLowRank(LLAMA, DEFAULT_SETUP, { rank: 8, targets: 'lora-defaults' }), 'lora');
    expect(lora.unmerged.params).toBe(4_194_304);
    expect(lora.unmerged.flopsShare).toBeCloseTo(4_194_304 / matmulParams(findModel(LLAMA).arch), 12);
    expect(lora.error).toBeNull();
  });

  it('puts a rank a method refuses in its row as a sentence instead of an estimate', () => {
    const rows = compareLowRank(LLAMA, DEFAULT_SETUP, { rank: 2048, targets: 'defaults' });
    expect(row(rows, 'lora').error).toBe('Rank r must be between 1 and 1024');
    expect(row(rows, 'lora').unmerged.params).toBe(0);
  });
});
