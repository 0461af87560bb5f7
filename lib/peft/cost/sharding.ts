import type { TrainingSetup } from './setup';

/** Memory of one GPU before the overhead is added, and what sits in CPU memory instead. */
export interface GpuShare {
  weights: number;
  masterWeights: number;
  gradients: number;
  optimizerState: number;
  activations: number;
  cpu: number;
}

export interface ShardingFacts {
  /** Bytes of the largest layer's weights at 16 bits: ZeRO-3 gathers whole layers to compute. */
  largestLayerWeights: number;
  /** DDP copies every gradient into its communication buckets (PyTorch's default,
   * `gradient_as_bucket_view=False`), doubling gradient memory on more than one GPU. */
  ddpBuckets: boolean;
}

/**
 * Divides the model states of a single-GPU run over `gpus` GPUs the way ZeRO does (Rajbhandari et
 * al., 2020): stage 1 shards the optimizer state and the fp32 master weights, stage 2 also the
 * gradients, stage 3 also the weights, which are gathered one layer at a time (two with
 * prefetching) to compute. CPU offload (ZeRO-Offload, FSDP's `CPUOffload`) moves the optimizer
 * state, master weights and gradients, and with stage 3 the weights too, to CPU memory. Activations are per
 * GPU already: each GPU runs its own micro-batch.
 */
export function shardAcrossGpus(single: GpuShare, facts: ShardingFacts, setup: Pick<TrainingSetup, 'gpus' | 'sharding' | 'offload'>): GpuShare {
  const n = setup.gpus;
  const stage = { ddp: 0, zero1: 1, zero2: 2, zero3: 3 }[setup.sharding];
  const out: GpuShare = { ...single };
  if (facts.ddpBuckets) out.gradients *= 2;
  if (stage >= 1) {
    out.optimizerState /= n;
    out.masterWeights /= n;
  }
  if (stage >= 2) out.gradients /= n;
  if (stage >= 3) out.weights = single.weights / n + Math.min(single.weights, 2 * facts.largestLayerWeights);
  if (setup.offload !== 'none') {
    // The optimizer steps on the CPU, so the gradients it reads go there too (ZeRO-Offload; FSDP's
    // CPUOffload moves them with the weights).
    out.cpu += out.optimizerState + out.masterWeights + out.gradients;
    out.optimizerState = 0;
    out.masterWeights = 0;
    out.gradients = 0;
  }
  if (setup.offload === 'optimizer+params') {
    const gathered = Math.min(single.weights, 2 * facts.largestLayerWeights);
    out.cpu += out.weights - gathered;
    out.weights = gathered;
  }
  // Whole bytes: shares of an odd count round up, as the last GPU holds the remainder.
  for (const k of ['weights', 'masterWeights', 'gradients', 'optimizerState', 'cpu'] as const) out[k] = Math.ceil(out[k]);
  return out;
}
