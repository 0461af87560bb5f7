/**
 * The cases HF PEFT's own code counts (scripts/hf-peft-oracle/count.py): every registered method
 * that exports an HF PEFT config, on a fixed set of models, with its defaults and one or two other
 * configs, each with the config class and arguments our export writes for it (the snippet's
 * `task_type` included). Combinations our method refuses (notApplicable, or a config it rejects)
 * are listed as skipped, with the reason.
 *
 *   npx tsx scripts/hf-peft-oracle/cases.ts   # writes scripts/hf-peft-oracle/cases.json
 *
 * lib/peft/hf-peft-oracle.test.ts imports `exportedPeftConfig` to check that each recorded row's
 * config is still what the export produces, so a changed export forces a re-run of the oracle.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Architecture, type LinearRole, linearPaths } from '@/lib/peft/arch';
import { peftSnippetParts } from '@/lib/peft/export';
import { notApplicableReason, resolveConfig } from '@/lib/peft/method-api/config';
import { PythonCode, type PythonValue } from '@/lib/peft/method-api/python';
import type { HyperValue, MethodConfig, PeftMethod } from '@/lib/peft/method-api/types';
import { findModel } from '@/lib/peft/models';
import { METHODS } from '@/lib/peft/registry';

export const ORACLE_MODELS = [
  'meta-llama/Llama-2-7b-hf',
  'Qwen/Qwen2.5-0.5B',
  'mistralai/Mistral-7B-v0.1',
  't5-base',
  'gpt2',
  'bert-base-uncased',
  'facebook/opt-125m',
] as const;

/** A config as given to resolveConfig: the method's defaults for every key left out. */
type ConfigInput = Readonly<Record<string, HyperValue | undefined>>;

/** Block paths of the maps playing these roles (self and cross), deduplicated. */
function pathsOf(arch: Architecture, roles: readonly LinearRole[]): string[] {
  const kind = (r: LinearRole) => r.replace(/^cross\./, 'attn.');
  const want = new Set(roles.map(kind));
  return [...new Set(arch.stacks.flatMap((s) => s.linears.filter((l) => want.has(kind(l.role))).map((l) => l.path)))];
}

const leaf = (path: string) => path.slice(path.lastIndexOf('.') + 1);

/**
 * The non-default configs tried per method, on one architecture (targets are named by the
 * model's own paths). Chosen to reach the parts of HF PEFT's counting our defaults do not:
 * every block map, other ranks, bias settings, the embedding and the LM head, rank patterns,
 * feed-forward scaling, the MLP and LSTM encoders, no projection.
 */
const OTHER_CONFIGS: Readonly<Record<string, (arch: Architecture) => ConfigInput[]>> = {
  lora: (arch) => {
    const all = linearPaths(arch);
    const names = arch.moduleNames!;
    const qv = pathsOf(arch, ['attn.q', 'attn.v', 'attn.qkv']);
    return [
      { r: 16, targets: all, bias: 'all' },
      { r: 4, targets: [...qv, names.embedding, names.lmHead], bias: 'lora_only', rankPattern: `${leaf(qv[0]!)}=12` },
    ];
  },
  qlora: (arch) => [{ r: 16, targets: linearPaths(arch) }],
  adalora: (arch) => [{ initR: 6, targetR: 4, targets: linearPaths(arch) }],
  ia3: (arch) => [{ targets: linearPaths(arch), feedforward: pathsOf(arch, ['mlp.out']) }],
  oft: (arch) => [
    { blockSize: 64, targets: linearPaths(arch) },
    { r: 4, targets: pathsOf(arch, ['attn.q', 'attn.v', 'attn.qkv']) },
  ],
  'prompt-tuning': () => [{ tokens: 20 }],
  'prefix-tuning': () => [{ tokens: 10, projection: 'none' }, { tokens: 20, bottleneck: 128 }],
  'p-tuning': () => [{ encoder: 'lstm', hidden: 64, lstmLayers: 1 }, { tokens: 10, hidden: 256 }],
  'p-tuning-v2': () => [{ tokens: 100 }],
  'llama-adapter': () => [{ adapterLen: 4, adapterLayers: 8 }],
  vera: (arch) => [{ r: 64, targets: linearPaths(arch), saveProjection: 'true' }],
  boft: (arch) => [{ blockSize: 8, targets: linearPaths(arch) }, { blockSize: 8, butterflyFactor: 2 }],
  dora: (arch) => [
    { r: 16, targets: linearPaths(arch) },
    { r: 4, targets: [...pathsOf(arch, ['attn.q', 'attn.v', 'attn.qkv']), arch.moduleNames!.embedding], bias: 'lora_only' },
  ],
  'lora-fa': (arch) => [{ r: 16, targets: linearPaths(arch), bias: 'all' }],
  pissa: (arch) => [{ r: 16, targets: linearPaths(arch), svd: 'fast' }],
  loha: (arch) => [{ r: 16, targets: linearPaths(arch), rankPattern: `${leaf(pathsOf(arch, ['attn.q', 'attn.qkv'])[0]!)}=4` }],
  lokr: (arch) => [
    { r: 16, targets: linearPaths(arch) },
    { r: 4, decomposeBoth: 'yes', decomposeFactor: 8 },
  ],
  // Every norm, named in target_modules (the default leaves HF's own family table to choose).
  'ln-tuning': () => [{ norms: 'all' }],
};

/** A PythonValue as JSON: `PythonCode` (a Python expression such as torch.bfloat16) as { __python__: code }. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export function toJson(v: PythonValue): JsonValue {
  if (v instanceof PythonCode) return { __python__: v.code };
  if (Array.isArray(v)) return (v as readonly PythonValue[]).map(toJson);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, PythonValue>).map(([k, x]) => [k, toJson(x)]));
  return v as string | number | boolean | null;
}

export interface ExportedPeftConfig {
  class: string;
  /** The config's arguments as the snippet writes them, `task_type` included. */
  args: { [key: string]: JsonValue };
  /** BitsAndBytesConfig arguments (QLoRA): not applied by the oracle, which cannot quantize. */
  quantization?: { [key: string]: JsonValue };
  note?: string;
}

/** The HF PEFT config our export writes for this method, model and config (default training setup). */
export function exportedPeftConfig(method: PeftMethod, modelId: string, config: MethodConfig): ExportedPeftConfig {
  const { arch } = findModel(modelId);
  const parts = peftSnippetParts({ id: modelId, arch }, method, config);
  if (!parts) throw new Error(`${method.id} has no HF PEFT export`);
  return {
    class: parts.configClass,
    args: toJson(parts.args) as ExportedPeftConfig['args'],
    ...(parts.quantization ? { quantization: toJson(parts.quantization) as ExportedPeftConfig['quantization'] } : {}),
    ...(parts.note ? { note: parts.note } : {}),
  };
}

export interface OracleCase {
  method: string;
  model: string;
  /** Our resolved config (every hyperparameter). */
  config: MethodConfig;
  peftConfig: ExportedPeftConfig;
}

export interface SkippedCase {
  method: string;
  model: string;
  input: ConfigInput;
  reason: string;
}

export function buildCases(): { cases: OracleCase[]; skipped: SkippedCase[] } {
  const cases: OracleCase[] = [];
  const skipped: SkippedCase[] = [];
  for (const method of METHODS) {
    if (!method.peft) continue;
    for (const modelId of ORACLE_MODELS) {
      const { arch } = findModel(modelId);
      const inputs: ConfigInput[] = [{}, ...(OTHER_CONFIGS[method.id]?.(arch) ?? [])];
      for (const input of inputs) {
        let config: MethodConfig;
        try {
          config = resolveConfig(method, arch, input);
        } catch (err) {
          skipped.push({ method: method.id, model: modelId, input, reason: err instanceof Error ? err.message : String(err) });
          continue;
        }
        const reason = notApplicableReason(method, arch, config);
        if (reason) {
          skipped.push({ method: method.id, model: modelId, input, reason });
          continue;
        }
        // Two inputs may resolve to one config (a model whose defaults are every map).
        if (cases.some((c) => c.method === method.id && c.model === modelId && JSON.stringify(c.config) === JSON.stringify(config))) continue;
        cases.push({ method: method.id, model: modelId, config, peftConfig: exportedPeftConfig(method, modelId, config) });
      }
    }
  }
  return { cases, skipped };
}

const here = dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { cases, skipped } = buildCases();
  const out = join(here, 'cases.json');
  const methods = [...new Set(cases.map((c) => c.method))];
  writeFileSync(out, `${JSON.stringify({ generatedBy: 'npx tsx scripts/hf-peft-oracle/cases.ts', methods, models: ORACLE_MODELS, cases, skipped }, null, 1)}\n`);
  console.log(`${cases.length} cases (${methods.join(', ')}), ${skipped.length} skipped -> ${out}`);
}
