import { SUBLAYER_OUTPUT_PARTS, attachAll } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { applyPhmAdapters, phmAdapterProfile, phmProblem } from '../method-api/phm';
import { sitesOf } from './adapters';

/**
 * PHM Adapter (Karimi Mahabadi, Henderson and Ruder, "Compacter", NeurIPS 2021, arXiv 2106.04647,
 * §3.1 and §5.2): a Houlsby adapter whose down and up projections are PHM layers (Zhang et al.,
 * ICLR 2021), W = Σᵢ Aᵢ ⊗ Bᵢ with n rules Aᵢ (n × n) and n blocks Bᵢ ((in/n) × (out/n)), each
 * layer with its own Aᵢ and full Bᵢ: nothing shared, nothing factorised. It is the paper's step
 * between the adapter and Compacter. The shared mechanics live in method-api/phm.ts.
 *
 * The paper's §4 counts 4L(kd/n + n³) for L layers (two adapters per layer, two PHM layers each,
 * biases left out), and its PHM-Adapter row used n = 12 (the authors' `phm_adapters.json` at
 * rabeehk/compacter e123daa: `hypercomplex_division: 12`, reduction factor 32, no
 * `shared_phm_rule`, no `factorized_phm`, Houlsby placement). The adapters library has no config
 * of that name; `CompacterConfig(shared_phm_rule=False, factorized_phm_W=False)` builds it
 * (adapter-hub/adapters at 88f18eb), and our counts follow that layout: per PHM layer its rule
 * [n, n, n], its blocks [n, in/n, out/n] and its bias. Our default n is the library's 4, which
 * divides the hidden size of every reference model (12 does not divide Llama's 4,096).
 *
 * On the toy: the adapters sit on each sublayer's output before the residual add, as in the
 * adapters library's T5 and our Houlsby adapters; initialisation as the authors' code (phm.ts).
 */
export const phmAdapter = defineMethod({
  id: 'phm-adapter',
  name: 'PHM Adapter',
  hyperparams: [
    {
      key: 'reductionFactor',
      label: 'Reduction factor',
      help: 'The bottleneck is m = hidden size / reduction factor, rounded down (at least 1) and then up to a multiple of n; the reference codes refuse an m that n does not divide.',
      kind: 'int',
      min: 1,
      max: 4096,
      default: 32,
    },
    {
      key: 'phmDim',
      label: 'PHM dimension n',
      help: 'Each projection is a sum of n Kronecker products Aᵢ ⊗ Bᵢ, Aᵢ n × n; n must divide the hidden size. The paper’s PHM-Adapter used n = 12, the adapters library defaults to 4.',
      kind: 'int',
      min: 1,
      max: 64,
      default: 4,
    },
    {
      key: 'placement',
      label: 'Placement',
      help: 'Which sublayers of every block get an adapter.',
      kind: 'choice',
      options: [
        { value: 'both', label: 'After attention and the FFN (as in the paper)' },
        { value: 'mlp', label: 'After the FFN only' },
      ],
      default: 'both',
    },
  ],
  // m = 64/4 = 16 on the toy: Bᵢ of 16 × 4 and 4 × 16.
  toyConfig: { reductionFactor: 4 },
  toyLearningRate: 5e-3,
  traits: { backpropThroughBackbone: true, inference: 'extra-modules' },
  lineage: [{ id: 'adapters', how: 'writes the adapter’s down and up projections as PHM layers, sums of Kronecker products', where: '§3.1' }],
  anatomy: (_arch, { placement }) => attachAll(sitesOf(placement).map((site) => SUBLAYER_OUTPUT_PARTS[site]), 'added', 'adapter, each weight Σᵢ Aᵢ ⊗ Bᵢ'),
  notApplicable: (arch, { phmDim }) => phmProblem(arch, phmDim),
  profile: (arch, { reductionFactor, phmDim, placement }) => phmAdapterProfile(arch, { n: phmDim, reductionFactor, rank: null, sharedRule: false, sites: sitesOf(placement) }),
  apply: (model, { reductionFactor, phmDim, placement }, { seed = 0 } = {}) =>
    applyPhmAdapters(model, { n: phmDim, reductionFactor, rank: null, sharedRule: false, sites: sitesOf(placement) }, seed),
});
