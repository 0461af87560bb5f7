import { compose } from '../method-api/compose';
import { parallelAdapter } from './parallel-adapter';
import { prefixTuning } from './prefix-tuning';

/**
 * MAM Adapter (He et al., 2022, "Mix-And-Match"): prefix tuning on attention plus a scaled
 * parallel adapter beside the FFN, built from our two methods, so its counts are theirs summed.
 * Defaults are the survey's "mam" config as its experiment code builds it for T5
 * (xw-yao/peft_comparison, scripts/finetuning_seq2seq.py: `prefix_tuning[bottleneck_size=800,
 * kv_size=d_kv]|scaled_parallel`): prefix length 30 with an MLP of width 800, and AdapterHub's
 * scaled_parallel adapter (bottleneck 512 on d = 1024, a learned scalar per adapter that starts
 * at 1). He et al.'s own MAM used a fixed s = 4 (jxhe/unify-parameter-efficient-tuning,
 * exps/run_xsum.sh); set adapter.scaling to 'fixed' and adapter.scale to 4 for it.
 * T5-Large: prefixes 3 × 40,221,472 = 120,664,416 plus the adapter's 50,405,424 = 171,069,840.
 */
export const mamAdapter = compose({
  id: 'mam-adapter',
  name: 'MAM Adapter',
  parts: [
    { prefix: 'prefix', method: prefixTuning, defaults: { tokens: 30, bottleneck: 800 } },
    {
      prefix: 'adapter',
      method: parallelAdapter,
      fixed: { placement: 'mlp' },
      defaults: { bottleneck: 512, scale: 1, scaling: 'learned' },
    },
  ],
  toyLearningRate: 1e-2,
  // He et al. §4.6: MAM is what their unified view recommends, prefix tuning on attention with a
  // scaled parallel adapter on the FFN.
  lineage: [
    { id: 'prefix-tuning', how: 'prefix tuning on attention', where: '§4.6' },
    { id: 'parallel-adapter', how: 'a scaled parallel adapter beside the FFN', where: '§4.6' },
  ],
});
