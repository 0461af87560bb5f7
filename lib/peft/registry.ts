import type { PeftMethod } from './method-api/types';
import { adalora } from './methods/adalora';
import { adapters } from './methods/adapters';
import { bitfit } from './methods/bitfit';
import { fishMask } from './methods/fish-mask';
import { fullFineTuning } from './methods/full-fine-tuning';
import { ia3 } from './methods/ia3';
import { intrinsicSaid } from './methods/intrinsic-said';
import { loreft } from './methods/loreft';
import { lora } from './methods/lora';
import { lst } from './methods/lst';
import { mamAdapter } from './methods/mam-adapter';
import { oft } from './methods/oft';
import { parallelAdapter } from './methods/parallel-adapter';
import { prefixTuning } from './methods/prefix-tuning';
import { promptTuning } from './methods/prompt-tuning';
import { qlora } from './methods/qlora';
import { spot } from './methods/spot';
import { ipt } from './methods/ipt';
import { warp } from './methods/warp';
import { attentionFusion } from './methods/attention-fusion';
import { lets } from './methods/lets';
import { pTuning } from './methods/p-tuning';
import { pTuningV2 } from './methods/p-tuning-v2';
import { llamaAdapter } from './methods/llama-adapter';
import { adamix } from './methods/adamix';
import { dora } from './methods/dora';
import { vera } from './methods/vera';
import { loha } from './methods/loha';
import { lokr } from './methods/lokr';
import { krona } from './methods/krona';
import { boft } from './methods/boft';
import { loraFa } from './methods/lora-fa';
import { pissa } from './methods/pissa';
import { relora } from './methods/relora';
import { phmAdapter } from './methods/phm-adapter';
import { compacter } from './methods/compacter';
import { ltSft } from './methods/lt-sft';
import { diffPruning } from './methods/diff-pruning';
import { unipelt } from './methods/unipelt';
import { lnTuning } from './methods/ln-tuning';
import { attentionTuning } from './methods/attention-tuning';
import { s4 } from './methods/s4';
import { sparseAdapter } from './methods/sparse-adapter';
import { kronaRes } from './methods/krona-res';
import { far } from './methods/far';
import { sparseLora } from './methods/sparse-lora';
// The taxonomy file itself, not ./taxonomy: that module validates it with zod, and the registry
// reaches the browser on every calculator page. Pages import ./taxonomy, so the build still validates it.
import taxonomyFile from '@/content/data/taxonomy.json';

/** Every implemented method, by taxonomy id: the one list the site, the CLI and the toy iterate. */
export const METHODS: readonly PeftMethod[] = [
  fullFineTuning,
  lora,
  adapters,
  promptTuning,
  bitfit,
  ia3,
  prefixTuning,
  parallelAdapter,
  mamAdapter,
  qlora,
  lst,
  fishMask,
  adalora,
  intrinsicSaid,
  oft,
  spot,
  ipt,
  warp,
  attentionFusion,
  lets,
  loreft,
  pTuning,
  pTuningV2,
  llamaAdapter,
  adamix,
  dora,
  vera,
  loha,
  lokr,
  krona,
  boft,
  loraFa,
  pissa,
  relora,
  ltSft,
  diffPruning,
  phmAdapter,
  compacter,
  unipelt,
  lnTuning,
  attentionTuning,
  s4,
  sparseAdapter,
  kronaRes,
  far,
  sparseLora,
];

/**
 * The implemented method with this id. Ids arrive from URLs, the CLI and MDX, so both failures
 * are ordinary and get a sentence a reader can act on: a taxonomy method that is not built yet,
 * or an unknown id with the closest known ones.
 */
export function findPeftMethod(id: string): PeftMethod {
  const method = METHODS.find((m) => m.id === id);
  if (method) return method;
  const known = taxonomyFile.methods.find((m) => m.id === id);
  if (known) throw new RangeError(`${known.name} has no calculator or playground yet; implemented: ${METHODS.map((m) => m.id).join(', ')}`);
  const close = closestIds(id, 3);
  throw new RangeError(`unknown method "${id}"${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}`);
}

/** The method, or the sentence `findPeftMethod` would throw: for views that show the problem in place. */
export function lookupPeftMethod(id: string): { method: PeftMethod } | { error: string } {
  try {
    return { method: findPeftMethod(id) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export function isImplemented(id: string): boolean {
  return METHODS.some((m) => m.id === id);
}

/** Taxonomy ids nearest to `id` by edit distance (or containing it), nearest first. */
export function closestIds(id: string, count: number): string[] {
  const query = id.toLowerCase();
  return taxonomyFile.methods
    .map((m) => ({ id: m.id, d: m.id.includes(query) && query.length >= 2 ? 0 : editDistance(query, m.id) }))
    .filter((m) => m.d <= Math.max(2, Math.floor(m.id.length / 2)))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, count)
    .map((m) => m.id);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
