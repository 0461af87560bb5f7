import type { Metadata } from 'next';
import { CompareMethods } from '@/components/compare/CompareMethods';

export const metadata: Metadata = { title: 'Compare', description: 'Every implemented PEFT method side by side on one real model: trainable parameters, training memory, checkpoint size and compute.' };

export default function ComparePage() {
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Compare methods</h1>
      <p className="mt-2 max-w-measure text-slate-700 dark:text-slate-300">
        Pick one real model and one training setup to see every method this site implements side by side. Parameter counts are exact; memory and compute
        are estimates from{' '}
        <a className="underline" href="/about/cost-model/">
          our cost model
        </a>
        .
      </p>
      <div className="mt-6">
        <CompareMethods />
      </div>
    </>
  );
}
