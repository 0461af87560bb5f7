import type { Metadata } from 'next';
import { ComingSoon } from '@/components/content/ComingSoon';

export const metadata: Metadata = { title: 'Compare', description: 'Compare PEFT methods side by side on one model.' };

export default function ComparePage() {
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Compare methods</h1>
      <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
        Pick one real model and one training setup, and see every implemented method side by side.
      </p>
      <div className="mt-6 max-w-3xl">
        <ComingSoon>
          This page will list, for a model such as T5-Large or Llama-2-7B, each method&apos;s exact trainable
          parameters, its training-memory breakdown (weights, gradients, optimizer state, activations) and its
          checkpoint size. It needs the cost model, which is not built yet, so no numbers are shown here.
        </ComingSoon>
      </div>
    </>
  );
}
