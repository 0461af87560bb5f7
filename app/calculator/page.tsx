import type { Metadata } from 'next';
import { Calculator } from '@/components/calculator/Calculator';

export const metadata: Metadata = {
  title: 'Calculator',
  description: 'Exact trainable parameters and estimated training memory of a PEFT method on a real model (T5, Llama, GPT-2, BERT, ...), with a shareable link.',
};

export default function CalculatorPage() {
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Calculator</h1>
      <p className="mt-2 max-w-measure text-slate-700 dark:text-slate-300">
        Pick a model, a fine-tuning method and a training setup. The calculator counts exactly how many parameters the method trains, estimates the GPU
        memory a training run needs, and compares it with full fine-tuning. Every setting is kept in the address, so you can share a result as a link.
      </p>
      <Calculator />
    </>
  );
}
