import type { Metadata } from 'next';
import { Guide } from '@/components/guide/Guide';
import { loadToyResults } from '@/lib/content/guide-toy';

export const metadata: Metadata = {
  title: 'Which method fits?',
  description:
    'Give a model, your GPU memory, how many tasks you will serve and whether latency matters: every implemented PEFT method ranked by the cost model, the toy benchmark and the survey’s checked findings, each with its reasons.',
};

// Validated here, at build time: the client gets plain numbers, without zod.
const toy = loadToyResults();

export default function GuidePage() {
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Which method fits?</h1>
      <div className="mt-2 max-w-measure space-y-2 text-slate-700 dark:text-slate-300">
        <p>
          Tell us the model, the memory of your GPU, how many tasks you will serve from one base model and whether answers are waited for. Every method built on this
          site is then ranked, in your browser, on what it needs in training memory, what it stores per task and what it adds at inference (all from{' '}
          <a className="underline" href="/about/cost-model/">
            the cost model
          </a>
          , at each method’s default settings), how it did on our toy benchmark, and what the{' '}
          <a className="underline" href="/survey/">
            survey
          </a>{' '}
          found in practice. Each recommendation lists its reasons with their numbers and points.
        </p>
        <p className="text-sm">
          Whatever you choose, tune the learning rate: the survey notes that matching full fine-tuning is still hard partly because of hyperparameter sensitivity, and that
          PEFT’s best learning rates are usually much higher than full fine-tuning’s (
          <a className="underline" href="https://arxiv.org/abs/2303.15647v1">
            Lialin et al. 2023, §14
          </a>
          ).
        </p>
      </div>
      <Guide toy={toy} />
    </>
  );
}
