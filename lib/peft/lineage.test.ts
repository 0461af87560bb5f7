import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import raw from '@/content/data/lineage.json';
import { LINEAGE_FILE, type LineageDeclaration, buildLineage, childrenOf, lineageEdges, parentsOf } from './lineage';
import { METHODS } from './registry';
import { taxonomy } from './taxonomy';

const children = (id: string) => childrenOf(id).map((e) => e.child);
const parents = (id: string) => parentsOf(id).map((e) => e.parent);

describe('the lineage', () => {
  it('joins the method files’ declarations and content/data/lineage.json', () => {
    const declared = METHODS.reduce((n, m) => n + m.lineage.length, 0);
    expect(lineageEdges()).toHaveLength(declared + raw.links.length);
    expect(parents('qlora')).toEqual(['lora']);
    expect(parents('dora')).toEqual(['lora']);
    expect(parents('mam-adapter')).toEqual(['prefix-tuning', 'parallel-adapter']);
  });

  it('has the families the issue names: LoRA’s descendants, adapters → parallel adapter → MAM, prefix tuning → P-Tuning v2, OFT → BOFT', () => {
    expect(children('lora')).toEqual(expect.arrayContaining(['dora', 'vera', 'adalora', 'qlora', 'lora-fa', 'pissa', 'relora']));
    expect(children('adapters')).toContain('parallel-adapter');
    expect(children('parallel-adapter')).toEqual(['mam-adapter']);
    expect(children('prefix-tuning')).toEqual(expect.arrayContaining(['p-tuning-v2', 'prompt-tuning', 'parallel-adapter', 'mam-adapter']));
    expect(children('oft')).toEqual(['boft']);
    expect(children('prompt-tuning')).toEqual(expect.arrayContaining(['spot', 'ipt']));
    expect(parents('s4').sort()).toEqual(['adapters', 'bitfit', 'lora', 'prefix-tuning']);
  });

  it('gives every edge a source with the child paper’s arXiv id, and roots no parents', () => {
    for (const e of lineageEdges()) {
      const arxiv = taxonomy.methods.find((m) => m.id === e.child)?.paper?.arxiv;
      if (arxiv) expect(e.source, `${e.parent} → ${e.child}`).toContain(`arXiv ${arxiv}`);
      expect(e.how.length, `${e.parent} → ${e.child}`).toBeLessThanOrEqual(140);
    }
    expect(parents('full-fine-tuning')).toEqual([]);
    expect(parents('adapters')).toEqual([]);
    expect(lineageEdges().find((e) => e.child === 'lora')?.source).toBe('“LoRA: Low-Rank Adaptation of Large Language Models”, §1 (arXiv 2106.09685)');
  });
});

describe('lineage data that breaks the rules is rejected, naming the file and the field', () => {
  const file = (links: unknown[]) => ({ about: 'test', links });
  const link = (child: string, parent: string, source = `“x” (arXiv ${taxonomy.methods.find((m) => m.id === child)?.paper?.arxiv ?? ''})`) => ({ child, parent, how: 'test', source });
  const build = (data: unknown, declarations: readonly LineageDeclaration[] = []) => () => buildLineage(data, declarations, taxonomy);

  it('accepts a good link', () => {
    expect(build(file([link('dora', 'lora')]))()).toEqual([{ child: 'dora', parent: 'lora', how: 'test', source: '“x” (arXiv 2402.09353)' }]);
  });

  it('an id the taxonomy does not have', () => {
    expect(build(file([link('dora', 'lorax')]))).toThrow(/content\/data\/lineage\.json[\s\S]*field "links\.0\.parent": "lorax" is not a method id/);
    expect(build(file([]), [{ id: 'lora', lineage: [{ id: 'nope', how: 'x', where: '§1' }] }])).toThrow(/lib\/peft\/methods\/lora\.ts[\s\S]*field "lineage\.0\.id": "nope"/);
  });

  it('a method with a file listed as a child in the data file', () => {
    expect(build(file([link('lora', 'intrinsic-said')]), [{ id: 'lora', lineage: [] }])).toThrow(/field "links\.0\.child": "lora" has a method file; declare this link in the lineage of lib\/peft\/methods\/lora\.ts/);
  });

  it('a parent whose paper is later than the child’s', () => {
    expect(build(file([link('lora', 'dora')]))).toThrow(/field "links\.0\.parent": "dora" \(2024\) is later than "lora" \(2022\)/);
    expect(build(file([]), [{ id: 'adapters', lineage: [{ id: 'lora', how: 'x', where: 'abstract' }] }])).toThrow(/lib\/peft\/methods\/adapters\.ts[\s\S]*"lora" \(2022\) is later than "adapters" \(2019\)/);
  });

  it('a cycle, a repeated link, a self-link', () => {
    expect(build(file([link('prompt-tuning', 'prefix-tuning'), link('prefix-tuning', 'prompt-tuning')]))).toThrow(/cycle: (prefix-tuning → prompt-tuning → prefix-tuning|prompt-tuning → prefix-tuning → prompt-tuning)/);
    expect(build(file([link('dora', 'lora'), link('dora', 'lora')]))).toThrow(/field "links\.1\.parent": the link lora → dora is given twice/);
    expect(build(file([link('dora', 'dora')]))).toThrow(/field "links\.0\.parent": "dora" cannot build on itself/);
  });

  it('a source without the child’s arXiv id, and a link missing a field', () => {
    expect(build(file([link('dora', 'lora', 'the DoRA paper')]))).toThrow(/field "links\.0\.source": name the child's paper with its arXiv id 2402\.09353/);
    expect(build(file([{ child: 'dora', parent: 'lora', source: 'x' }]))).toThrow(/content\/data\/lineage\.json[\s\S]*field "links\.0\.how"/);
  });
});

/**
 * Server components read the lineage at build time, and calculators load method files in the
 * browser: neither may pull in TensorFlow.js. Follows every import that survives compilation
 * (type-only imports and specifiers are erased) from lineage.ts through the registry and every
 * method file.
 */
describe('the lineage and the registry load without TensorFlow.js', () => {
  function runtimeImports(file: string): string[] {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    const out: string[] = [];
    for (const s of source.statements) {
      if (ts.isImportDeclaration(s)) {
        const clause = s.importClause;
        const named = clause?.namedBindings;
        const erased =
          clause?.isTypeOnly === true ||
          (clause !== undefined && clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
        if (!erased) out.push((s.moduleSpecifier as ts.StringLiteral).text);
      } else if (ts.isExportDeclaration(s) && s.moduleSpecifier && !s.isTypeOnly) {
        out.push((s.moduleSpecifier as ts.StringLiteral).text);
      }
    }
    return out;
  }

  function resolveLocal(from: string, spec: string): string | null {
    const base = spec.startsWith('@/') ? resolve(spec.slice(2)) : spec.startsWith('.') ? resolve(dirname(from), spec) : null;
    if (!base) return null;
    return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base].find((f) => existsSync(f) && !f.endsWith('.json')) ?? null;
  }

  it('reaches no @tensorflow module from lib/peft/lineage.ts', () => {
    const seen = new Set<string>();
    const packages = new Map<string, string>();
    const queue = [resolve('lib/peft/lineage.ts')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of runtimeImports(file)) {
        const local = resolveLocal(file, spec);
        if (local) queue.push(local);
        else if (!spec.startsWith('.') && !spec.startsWith('@/')) packages.set(spec, file);
      }
    }
    expect([...seen].some((f) => f.endsWith('lib/peft/methods/lora.ts')), 'the walk reaches the method files').toBe(true);
    const tf = [...packages].filter(([p]) => p.startsWith('@tensorflow')).map(([p, f]) => `${p} (from ${f})`);
    expect(tf).toEqual([]);
  });
});
