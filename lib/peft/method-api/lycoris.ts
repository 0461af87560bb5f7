import { type Architecture, matchingLinears } from '../arch';
import { LORA_OPTIONS } from '../methods/lora';
import { targetsOutside } from './outside';
import { patternRecord, patternValue, readPattern } from './pattern';
import { peftTargetModules } from './peft-export';
import { embeddingWidth } from './profile';
import type { PeftExport } from './types';

/**
 * What LoHa and LoKr share as HF PEFT builds them (huggingface/peft@5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40,
 * src/peft/tuners/lycoris_utils.py, loha/, lokr/): `LycorisConfig` gives both r, alpha,
 * target_modules, rank_pattern and alpha_pattern; the scale is alpha / r per module; the default
 * targets are a copy of LoRA's table (utils/constants.py); and `LycorisTuner._create_new_module`
 * wraps torch's nn.Linear, nn.Conv1d and nn.Conv2d only, raising a TypeError for anything else.
 * Dropout options (rank_dropout, module_dropout) are left at HF's default 0, and init_weights at
 * its default True.
 */

/** The hyperparameters both take, named after LycorisConfig's fields (`alpha` there, not lora_alpha). */
export function lycorisHyperparams(rHelp: string) {
  return [
    { key: 'r', label: 'Rank r', help: rHelp, kind: 'int', min: 1, max: 1024, default: 8 },
    { key: 'alpha', label: 'Alpha α', help: 'The update is scaled by α/r (HF alpha).', kind: 'number', min: 0.01, max: 4096, default: 8 },
    {
      key: 'targets',
      label: 'Target modules',
      help: 'Linear maps that get an update, by their paths or names in the model.',
      kind: 'modules',
      // HF PEFT's LoHa and LoKr tables copy LoRA's: q and v, or the fused qkv map (GPT-2's c_attn,
      // which these methods then refuse: see lycorisRefusal).
      defaultRoles: ['attn.q', 'attn.v'],
      fallbackRoles: ['attn.qkv'],
      // The LM head is an nn.Linear, which both wrap; an nn.Embedding is refused.
      outside: ['lmHead'],
    },
    LORA_OPTIONS[1],
    LORA_OPTIONS[2],
  ] as const;
}

export interface LycorisConfig {
  r: number;
  alpha: number;
  targets: readonly string[];
  rankPattern: string;
  alphaPattern: string;
}

/** One targeted linear map (in × out), `count` times (its stack's layers), at its own r and α. */
export interface LycorisSite {
  path: string;
  inFeatures: number;
  outFeatures: number;
  count: number;
  r: number;
  alpha: number;
}

/** Every map the config targets on a real architecture, with the rank and α the patterns give it. */
export function lycorisSites(arch: Architecture, { r, alpha, targets, rankPattern, alphaPattern }: LycorisConfig): LycorisSite[] {
  const [ranks, alphas] = [readPattern(rankPattern), readPattern(alphaPattern)];
  const site = (path: string, inFeatures: number, outFeatures: number, count: number): LycorisSite => ({
    path,
    inFeatures,
    outFeatures,
    count,
    r: patternValue(ranks, path, r),
    alpha: patternValue(alphas, path, alpha),
  });
  const sites = arch.stacks.flatMap((s) => matchingLinears(s, targets).map((l) => site(l.path, l.inFeatures, l.outFeatures, s.layers)));
  if (arch.moduleNames && targetsOutside(arch, targets, 'lmHead')) sites.push(site(arch.moduleNames.lmHead, embeddingWidth(arch), arch.vocabSize, 1));
  return sites;
}

/** Model families whose block maps HF transformers builds as its own `Conv1D` (a Linear with a
 * transposed weight) rather than nn.Linear; LycorisTuner accepts neither it nor its subclasses. */
const CONV1D_FAMILIES: readonly string[] = ['gpt2'];

/** The sentence HF PEFT's refusal amounts to when a targeted block map is a transformers Conv1D
 * (GPT-2's c_attn, c_proj, c_fc), else null. */
export function lycorisRefusal(methodName: string, arch: Architecture, targets: readonly string[]): string | null {
  if (!CONV1D_FAMILIES.includes(arch.family)) return null;
  const maps = [...new Set(arch.stacks.flatMap((s) => matchingLinears(s, targets).map((l) => l.path)))];
  if (maps.length === 0) return null;
  return `HF PEFT's ${methodName} wraps only torch's Linear, Conv1d and Conv2d layers, and ${arch.name} builds ${maps.join(', ')} as transformers' Conv1D, so get_peft_model raises a TypeError; of its maps only ${arch.moduleNames?.lmHead ?? 'the LM head'} can take ${methodName}.`;
}

/** The LycorisConfig arguments both configs share (their own go in `extra`). */
export function lycorisExport(configClass: string, methodName: string, c: LycorisConfig, arch: Architecture, extra: PeftExport['args'] = {}): PeftExport {
  const refusal = lycorisRefusal(methodName, arch, c.targets);
  return {
    configClass,
    args: {
      r: c.r,
      alpha: c.alpha,
      target_modules: peftTargetModules(arch, c.targets),
      ...extra,
      rank_pattern: c.rankPattern ? patternRecord(c.rankPattern) : undefined,
      alpha_pattern: c.alphaPattern ? patternRecord(c.alphaPattern) : undefined,
    },
    ...(refusal ? { note: refusal } : {}),
  };
}
