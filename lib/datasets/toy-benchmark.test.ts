import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContentError } from '@/lib/content/validate';
import { METHODS } from '@/lib/peft/registry';
import { TASKS } from '@/lib/peft/model/tasks';
import { toyBenchmarkProblems } from './checks';
import { toyBenchmarkCsv } from './csv-writers';
import { DATASETS, loadToyBenchmark, parseToyBenchmark } from './load';
import { summarise } from './summary';

const data = loadToyBenchmark();
const raw = () => JSON.parse(readFileSync(DATASETS['toy-benchmark'], 'utf8'));

describe('content/data/toy-benchmark.json', () => {
  it('validates, with at least one row', () => {
    expect(data.rows.length).toBeGreaterThan(0);
  });

  it('breaks none of the checks: summaries, registered methods, seeds, targets', () => {
    expect(toyBenchmarkProblems(data)).toEqual([]);
  });

  it("has each row's summary equal to its recomputation over its runs", () => {
    for (const row of data.rows) expect(row.summary, `${row.task}/${row.method}`).toEqual(summarise(row.runs));
  });

  it('names only registered methods, in task-major, registry order', () => {
    const ids = METHODS.map((m) => m.id);
    for (const row of data.rows) expect(ids).toContain(row.method);
    const order = data.rows.map((r) => TASKS.findIndex((t) => t.id === r.task) * 1000 + ids.indexOf(r.method));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("records each task's target", () => {
    for (const t of TASKS) expect(data.protocol.targets[t.id]).toBe(t.target);
  });

  it('has its CSV beside it, in step with the JSON', () => {
    expect(readFileSync(DATASETS['toy-benchmark'].replace(/\.json$/, '.csv'), 'utf8')).toBe(toyBenchmarkCsv(data));
  });

  it('a bad file fails naming the file and the field', () => {
    const bad = raw();
    bad.rows[0].runs[0].finalMetric = 1.5;
    expect(() => parseToyBenchmark(bad)).toThrow(ContentError);
    expect(() => parseToyBenchmark(bad)).toThrow(/toy-benchmark\.json[\s\S]*rows\.0\.runs\.0\.finalMetric/);
  });

  it('the checks catch a stale summary, an unknown method and a duplicate seed', () => {
    const bad = parseToyBenchmark(raw());
    const row = bad.rows[0]!;
    row.summary = { ...row.summary, reached: row.summary.reached + 1 };
    expect(toyBenchmarkProblems(bad).join('\n')).toMatch(/summary differs/);
    const other = parseToyBenchmark(raw());
    other.rows[0]!.method = 'no-such-method';
    other.rows[0]!.runs.push({ ...other.rows[0]!.runs[0]! });
    const problems = toyBenchmarkProblems(other).join('\n');
    expect(problems).toMatch(/not a registered method/);
    expect(problems).toMatch(/seed is measured twice/);
  });
});
