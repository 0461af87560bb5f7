/**
 * The analytic costs as the cost explorer receives them (plain numbers built on the server from
 * validated CostRows), and the pure selection and sorting it applies.
 */

import type { CostRow } from '@/lib/datasets/analytic-costs';
import { compareNullsLast, type SortDir } from './sort';
import type { MethodMeta } from './toy-view';

export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  other: number;
  total: number;
}

export interface CostPoint {
  method: string;
  name: string;
  category: string;
  model: string;
  setup: string;
  settings: string;
  trainable: number;
  total: number;
  checkpointBytes: number;
  memory: MemoryBreakdown;
  /** Why the method cannot run on this model; its figures are then not shown. */
  problem: string | null;
}

export function toCostPoints(rows: readonly CostRow[], meta: (id: string) => MethodMeta | undefined): CostPoint[] {
  return rows.map((r) => {
    const m = meta(r.method);
    return {
      method: r.method,
      name: m?.name ?? r.method,
      category: m?.category ?? 'uncategorised',
      model: r.model,
      setup: r.setup,
      settings: r.settings,
      trainable: r.trainable,
      total: r.total,
      checkpointBytes: r.checkpointBytes,
      memory: { ...r.memory },
      problem: r.problem,
    };
  });
}

export const COST_SORT_KEYS = ['name', 'category', 'trainable', 'memory', 'checkpoint'] as const;
export type CostSortKey = (typeof COST_SORT_KEYS)[number];

/** A row with a problem has no figures: it sorts last on every numeric column. */
export function costSortValue(p: CostPoint, key: CostSortKey): number | string | null {
  switch (key) {
    case 'name':
      return p.name.toLowerCase();
    case 'category':
      return p.category;
    case 'trainable':
      return p.problem ? null : p.trainable;
    case 'memory':
      return p.problem ? null : p.memory.total;
    case 'checkpoint':
      return p.problem ? null : p.checkpointBytes;
  }
}

/** The rows of one model under one setup, sorted (ties by name). */
export function selectCosts(points: readonly CostPoint[], model: string, setup: string, key: CostSortKey, dir: SortDir): CostPoint[] {
  return points
    .filter((p) => p.model === model && p.setup === setup)
    .sort((a, b) => compareNullsLast(costSortValue(a, key), costSortValue(b, key), dir) || a.name.localeCompare(b.name));
}

/**
 * Every model × setup × method row is a lot of repeated keys and strings for the page's payload
 * (1,500 rows for 11 models, 3 setups and 46 methods), so the server sends them packed: strings
 * once in tables, each row one array of numbers. `unpackCosts` restores the CostPoints exactly.
 */
export interface PackedCosts {
  methods: { id: string; name: string; category: string }[];
  models: string[];
  setups: string[];
  /** Settings and problem texts, each once; a row refers to them by index (−1: no problem). */
  strings: string[];
  /** [method, model, setup, settings, problem, trainable, total, checkpoint, weights, gradients, optimizer, activations, other, memoryTotal] */
  rows: number[][];
}

export function packCosts(points: readonly CostPoint[]): PackedCosts {
  const index = <T>(list: T[], lookup: Map<T, number>, value: T) => {
    let i = lookup.get(value);
    if (i === undefined) {
      i = list.push(value) - 1;
      lookup.set(value, i);
    }
    return i;
  };
  const packed: PackedCosts = { methods: [], models: [], setups: [], strings: [], rows: [] };
  const methodIds: string[] = [];
  const seen = { methods: new Map<string, number>(), models: new Map<string, number>(), setups: new Map<string, number>(), strings: new Map<string, number>() };
  for (const p of points) {
    const m = index(methodIds, seen.methods, p.method);
    if (m === packed.methods.length) packed.methods.push({ id: p.method, name: p.name, category: p.category });
    packed.rows.push([
      m,
      index(packed.models, seen.models, p.model),
      index(packed.setups, seen.setups, p.setup),
      index(packed.strings, seen.strings, p.settings),
      p.problem === null ? -1 : index(packed.strings, seen.strings, p.problem),
      p.trainable,
      p.total,
      p.checkpointBytes,
      p.memory.weights,
      p.memory.gradients,
      p.memory.optimizer,
      p.memory.activations,
      p.memory.other,
      p.memory.total,
    ]);
  }
  return packed;
}

export function unpackCosts(packed: PackedCosts): CostPoint[] {
  return packed.rows.flatMap((r) => {
    const [m, model, setup, settings, problem, trainable, total, checkpointBytes, weights, gradients, optimizer, activations, other, memoryTotal] = r;
    const method = packed.methods[m ?? -1];
    if (!method || r.length !== 14) return [];
    return [
      {
        method: method.id,
        name: method.name,
        category: method.category,
        model: packed.models[model ?? -1] ?? '',
        setup: packed.setups[setup ?? -1] ?? '',
        settings: packed.strings[settings ?? -1] ?? '',
        problem: problem === undefined || problem < 0 ? null : (packed.strings[problem] ?? null),
        trainable: trainable ?? 0,
        total: total ?? 0,
        checkpointBytes: checkpointBytes ?? 0,
        memory: { weights: weights ?? 0, gradients: gradients ?? 0, optimizer: optimizer ?? 0, activations: activations ?? 0, other: other ?? 0, total: memoryTotal ?? 0 },
      },
    ];
  });
}
