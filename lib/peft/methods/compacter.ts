import { SUBLAYER_OUTPUT_PARTS, attachAll } from '../method-api/anatomy';
import { defineMethod } from '../method-api/define';
import { applyPhmAdapters, phmAdapterProfile, phmProblem } from '../method-api/phm';
import { sitesOf } from './adapters';

/**
 * Compacter (Karimi Mahabadi, Henderson and Ruder, NeurIPS 2021, arXiv 2106.04647, §3.2): a PHM
 * adapter (see phm-adapter.ts and method-api/phm.ts) with two changes. The rules Aᵢ (n × n each,
 * the "slow" weights) are one set shared by every PHM layer of the model, down and up projections
 * of every adapter alike; each block Bᵢ is a rank-r product sᵢ·tᵢ ("fast" weights, rank one in
 * the paper). An adapter then holds 2r(d + m) weights plus its biases, and the model n³ more once.
 * Compacter++ keeps only the adapter after the feed-forward block (§5.2): `placement: 'mlp'`.
 *
 * Counts follow the adapters library the survey's v2 experiments ran (adapter-hub/adapters at
 * 88f18eb: `CompacterConfig` / `CompacterPlusPlusConfig` = Houlsby / Pfeiffer placement with
 * `phm_layer`, reduction factor 32, GELU, and `BnConfig`'s phm defaults: phm_dim 4,
 * shared_phm_rule, factorized_phm_W, phm_rank 1, phm_bias, learn_phm; `init_shared_parameters`
 * makes one `phm_rule` per adapter setup for the whole model). Per adapter 2r(d + m) + m + d, plus
 * n³ once: on T5-Large (d = 1024, m = 32) 96 · 3,168 + 64 = 304,192 and, after the FFN only,
 * 48 · 3,168 + 64 = 152,128, the counts the survey authors' experiment code measured.
 *
 * On the toy: one rule variable [n, n, n] read by every PHM layer; initialisation as the authors'
 * code (rabeehk/compacter at e123daa, `compacter.json`; see phm.ts).
 */
export const compacter = defineMethod({
  id: 'compacter',
  name: 'Compacter',
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
      help: 'Each projection is a sum of n Kronecker products Aᵢ ⊗ sᵢtᵢ; the n rules Aᵢ (n × n) are shared by the whole model. n must divide the hidden size (adapters library default 4).',
      kind: 'int',
      min: 1,
      max: 64,
      default: 4,
    },
    {
      key: 'phmRank',
      label: 'Rank r of each Bᵢ',
      help: 'Each block Bᵢ = sᵢtᵢ is a product of (in/n) × r and r × (out/n) factors; the paper uses rank one.',
      kind: 'int',
      min: 1,
      max: 256,
      default: 1,
    },
    {
      key: 'placement',
      label: 'Placement',
      help: 'Which sublayers of every block get an adapter: both (Compacter) or the FFN only (Compacter++).',
      kind: 'choice',
      options: [
        { value: 'both', label: 'After attention and the FFN (Compacter)' },
        { value: 'mlp', label: 'After the FFN only (Compacter++)' },
      ],
      default: 'both',
    },
  ],
  // m = 64/4 = 16 on the toy: sᵢ of 16 × 1 and tᵢ of 1 × 4 (down), and the reverse (up).
  toyConfig: { reductionFactor: 4 },
  // The authors train Compacter at 3e-3, ten times their adapters' 3e-4 (rabeehk/compacter
  // compacter.json, adapters.json). On the toy 1e-2, twice our adapters' rate, takes its 1,024
  // scalars much further than 5e-3 (topic task: 89% against 65% exact match after 300 steps).
  toyLearningRate: 1e-2,
  traits: { backpropThroughBackbone: true, inference: 'extra-modules' },
  lineage: [
    { id: 'adapters', how: 'builds the adapter’s projections from Kronecker products of shared and rank-one factors', where: 'abstract' },
    { id: 'phm-adapter', how: 'shares the PHM rules Aᵢ across all layers and makes each Bᵢ rank one', where: '§3.2' },
  ],
  anatomy: (_arch, { placement }) => attachAll(sitesOf(placement).map((site) => SUBLAYER_OUTPUT_PARTS[site]), 'added', 'adapter, weights Σᵢ Aᵢ ⊗ sᵢtᵢ, Aᵢ shared'),
  notApplicable: (arch, { phmDim }) => phmProblem(arch, phmDim),
  profile: (arch, { reductionFactor, phmDim, phmRank, placement }) =>
    phmAdapterProfile(arch, { n: phmDim, reductionFactor, rank: phmRank, sharedRule: true, sites: sitesOf(placement) }),
  apply: (model, { reductionFactor, phmDim, phmRank, placement }, { seed = 0 } = {}) =>
    applyPhmAdapters(model, { n: phmDim, reductionFactor, rank: phmRank, sharedRule: true, sites: sitesOf(placement) }, seed),
});
