import { describe, expect, it } from 'vitest';
import type { CostRow } from '@/lib/datasets/analytic-costs';
import { packCosts, selectCosts, toCostPoints, unpackCosts } from './cost-view';

function row(method: string, model: string, setup: string, trainable: number, memoryTotal: number, checkpoint: number, problem: string | null = null): CostRow {
  return {
    method,
    model,
    setup,
    settings: method === 'lora' ? 'r = 8, on q and v' : '',
    trainable,
    total: 7_000_000_000,
    checkpointBytes: checkpoint,
    memory: { weights: memoryTotal / 2, gradients: memoryTotal / 8, optimizer: memoryTotal / 8, activations: memoryTotal / 4, other: 0, total: memoryTotal },
    problem,
    provenance: { source: 'test fixture' },
  };
}

const META: Record<string, { name: string; category: string }> = {
  lora: { name: 'LoRA', category: 'reparametrization' },
  bitfit: { name: 'BitFit', category: 'selective' },
  'prefix-tuning': { name: 'Prefix Tuning', category: 'additive' },
  'full-fine-tuning': { name: 'Full fine-tuning', category: 'baseline' },
};

const rows = [
  row('full-fine-tuning', 'llama', 'bf16', 7_000_000_000, 120e9, 14e9),
  row('lora', 'llama', 'bf16', 4_194_304, 20e9, 8.4e6),
  row('bitfit', 'llama', 'bf16', 0 + 500_000, 19e9, 1e6),
  row('prefix-tuning', 'llama', 'bf16', 0, 0, 0, 'needs cross-attention'),
  row('lora', 'llama', 'fp32', 4_194_304, 40e9, 16.8e6),
  row('lora', 't5', 'bf16', 2_359_296, 5e9, 4.7e6),
];
const points = toCostPoints(rows, (id) => META[id]);
const order = (ps: readonly { method: string }[]) => ps.map((p) => p.method);

describe('selectCosts', () => {
  it('keeps one model and setup', () => {
    expect(order(selectCosts(points, 'llama', 'fp32', 'name', 'asc'))).toEqual(['lora']);
    expect(selectCosts(points, 't5', 'bf16', 'name', 'asc')[0]?.trainable).toBe(2_359_296);
    expect(selectCosts(points, 'nope', 'bf16', 'name', 'asc')).toEqual([]);
  });

  it('sorts by memory, trainable and checkpoint, with a row that cannot run last either way', () => {
    expect(order(selectCosts(points, 'llama', 'bf16', 'memory', 'asc'))).toEqual(['bitfit', 'lora', 'full-fine-tuning', 'prefix-tuning']);
    expect(order(selectCosts(points, 'llama', 'bf16', 'memory', 'desc'))).toEqual(['full-fine-tuning', 'lora', 'bitfit', 'prefix-tuning']);
    expect(order(selectCosts(points, 'llama', 'bf16', 'trainable', 'asc'))).toEqual(['bitfit', 'lora', 'full-fine-tuning', 'prefix-tuning']);
    expect(order(selectCosts(points, 'llama', 'bf16', 'checkpoint', 'desc'))).toEqual(['full-fine-tuning', 'lora', 'bitfit', 'prefix-tuning']);
  });

  it('sorts by name', () => {
    expect(order(selectCosts(points, 'llama', 'bf16', 'name', 'asc'))).toEqual(['bitfit', 'full-fine-tuning', 'lora', 'prefix-tuning']);
  });
});

describe('packCosts / unpackCosts', () => {
  it('round-trips every row exactly', () => {
    expect(unpackCosts(packCosts(points))).toEqual(points);
  });

  it('stores each method, model, setup and text once', () => {
    const packed = packCosts(points);
    expect(packed.methods.map((m) => m.id)).toEqual(['full-fine-tuning', 'lora', 'bitfit', 'prefix-tuning']);
    expect(packed.models).toEqual(['llama', 't5']);
    expect(packed.setups).toEqual(['bf16', 'fp32']);
    expect(packed.strings.sort()).toEqual(['', 'needs cross-attention', 'r = 8, on q and v']);
    expect(packed.rows).toHaveLength(rows.length);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(points).length);
  });

  it('drops a malformed packed row instead of inventing figures', () => {
    const packed = packCosts(points);
    packed.rows.push([99, 0, 0, 0, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0]);
    expect(unpackCosts(packed)).toHaveLength(rows.length);
  });
});
