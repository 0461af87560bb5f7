import { formatCount, formatGB } from '@/components/format';
import { gpuBytes } from '@/lib/peft/cost/fits';
import { MAX_BATCH_SIZE, MAX_SEQUENCE_LENGTH } from '@/lib/peft/cost/setup';
import type { Estimate } from '@/lib/peft/estimate';

const MUTED = 'text-slate-600 dark:text-slate-400';

/** A searched maximum in words: 0 means not even one fits; the search's ceiling means "at least". */
function largest(n: number, max: number, none: string): string {
  if (n === 0) return none;
  return n >= max ? `${formatCount(max)} or more` : formatCount(n);
}

/**
 * "What fits" for the chosen GPU: whether this setup does, the largest batch and the longest
 * sequence that would, and the smallest listed GPUs that hold the setup as it is.
 */
export function WhatFitsPanel({ estimate, idPrefix }: { estimate: Estimate; idPrefix: string }) {
  const { fits, setup, memory } = estimate;
  const headingId = `${idPrefix}-fits-heading`;
  const perGpu = setup.gpus > 1 ? ' per GPU' : '';
  const smallest = fits.smallestGpus;
  return (
    <section data-testid={`${idPrefix}-fits`} data-fits={fits.fits} aria-labelledby={headingId} className="mt-4 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <h3 id={headingId} className="font-semibold">
        What fits
      </h3>
      <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-2 @xl/results:grid-cols-2">
        <div>
          <dt className={`text-xs ${MUTED}`}>
            {fits.gpu.name} ({fits.gpu.gib} GiB = {formatGB(gpuBytes(fits.gpu))})
          </dt>
          <dd data-testid={`${idPrefix}-fits-gpu`} className={fits.fits ? 'font-medium text-emerald-800 dark:text-emerald-300' : 'font-medium text-red-700 dark:text-red-400'}>
            <span aria-hidden="true">{fits.fits ? '✓ ' : '✗ '}</span>
            {fits.fits ? 'fits' : 'does not fit'}: needs {formatGB(memory.total)}
            {perGpu}
          </dd>
        </div>
        <div>
          <dt className={`text-xs ${MUTED}`}>Smallest listed GPU that fits</dt>
          <dd data-testid={`${idPrefix}-smallest-gpu`}>
            {smallest.length > 0
              ? `${smallest.map((g) => g.name).join(', ')} (${smallest[0]!.gib} GiB)`
              : 'none of the listed GPUs; try sharding over several GPUs or 4-bit base weights'}
          </dd>
        </div>
        <div>
          <dt className={`text-xs ${MUTED}`}>Largest batch at sequence length {formatCount(setup.sequenceLength)}</dt>
          <dd data-testid={`${idPrefix}-max-batch`} data-value={fits.maxBatchSize} className="font-mono">
            {largest(fits.maxBatchSize, MAX_BATCH_SIZE, 'not even 1 sequence')}
          </dd>
        </div>
        <div>
          <dt className={`text-xs ${MUTED}`}>Longest sequence at batch size {formatCount(setup.batchSize)}</dt>
          <dd data-testid={`${idPrefix}-max-seq`} data-value={fits.maxSequenceLength} className="font-mono">
            {largest(fits.maxSequenceLength, MAX_SEQUENCE_LENGTH, 'not even 1 token')}
          </dd>
        </div>
      </dl>
    </section>
  );
}
