import { totalParams } from '@/lib/peft/arch';
import { resolveConfig } from '@/lib/peft/method-api/config';
import type { HyperValue } from '@/lib/peft/method-api/types';
import { findModel } from '@/lib/peft/models';
import { findPeftMethod } from '@/lib/peft/registry';
import type { SURVEY_MODELS } from './survey-results';

/**
 * The survey authors' experiment configurations (xw-yao/peft_comparison, as
 * content/data/survey-v2-experiments.json names them) as our methods and hyperparameters: the one
 * mapping the survey dataset and the methods' tests share. On T5 (d_model = 1024) AdapterHub's
 * reduction factor 16 is a bottleneck of 64 and the scaled parallel adapter's factor 2 one of 512.
 */
export interface SurveyConfig {
  /** Our taxonomy id, or null where no method of ours corresponds. */
  method: string | null;
  hyper: Readonly<Record<string, HyperValue>>;
  /** Said with every record of this configuration. */
  caveat?: string;
}

const LORA_QV: SurveyConfig = { method: 'lora', hyper: { r: 8, alpha: 8, targets: ['q', 'v'] } };

export const SURVEY_CONFIGS: Readonly<Record<string, SurveyConfig>> = {
  full_tuning: { method: 'full-fine-tuning', hyper: {} },
  houlsby: { method: 'adapters', hyper: { bottleneck: 64, placement: 'both' } },
  pfeiffer: { method: 'adapters', hyper: { bottleneck: 64, placement: 'mlp' } },
  scaled_parallel: { method: 'parallel-adapter', hyper: { bottleneck: 512, scaling: 'learned' } },
  ln_tuning: { method: 'ln-tuning', hyper: {} },
  lora: { ...LORA_QV, caveat: 'LoRA as the adapters library implements it.' },
  'lora (q,v)': { ...LORA_QV, caveat: 'LoRA as the adapters library implements it.' },
  hf_lora: { ...LORA_QV, caveat: 'LoRA as HF PEFT implements it.' },
  'hf_lora (q,v)': { ...LORA_QV, caveat: 'LoRA as HF PEFT implements it.' },
  hf_lora_all: { method: 'lora', hyper: { r: 8, alpha: 8, targets: ['q', 'k', 'v', 'o', 'wi', 'wo'] } },
  hf_krona: {
    method: 'lokr',
    hyper: { r: 8, targets: ['q', 'v'] },
    caveat: "The authors' KronA configuration ran HF PEFT's LoKr (r = 8 on q and v, library defaults), so it is compared with our LoKr, not our KronA.",
  },
  compacter: { method: 'compacter', hyper: {} },
  'compacter++': { method: 'compacter', hyper: { placement: 'mlp' }, caveat: 'Compacter++: one adapter per block, after the FFN.' },
  ia3: { method: 'ia3', hyper: {} },
  mam: {
    method: 'mam-adapter',
    hyper: {},
    caveat: 'No T5-11B training run; the source’s T5-11B count (1,942,753,680) is derived, not measured, so it is not a record here.',
  },
  prefix_tuning: { method: 'prefix-tuning', hyper: { tokens: 30, bottleneck: 512 } },
  prefix_tuning_flat: { method: 'prefix-tuning', hyper: { tokens: 30, projection: 'none' } },
  unipelt: { method: 'unipelt', hyper: {} },
};

export function surveyConfig(config: string): SurveyConfig {
  const c = SURVEY_CONFIGS[config];
  if (!c) throw new Error(`no mapping for the survey configuration "${config}"`);
  return c;
}

/** Our trainable-parameter count for a survey configuration on one of its T5 models, or null
 * where no method of ours corresponds. */
export function ourSurveyCount(config: string, model: (typeof SURVEY_MODELS)[number]): number | null {
  const { method: id, hyper } = surveyConfig(config);
  if (id === null) return null;
  const arch = findModel(model).arch;
  const method = findPeftMethod(id);
  return id === 'full-fine-tuning' ? totalParams(arch) : method.trainableParams(arch, resolveConfig(method, arch, hyper));
}
