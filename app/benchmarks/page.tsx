import type { Metadata } from 'next';
import { ComingSoon } from '@/components/content/ComingSoon';

export const metadata: Metadata = { title: 'Benchmarks', description: 'The survey results and our own toy benchmark.' };

export default function BenchmarksPage() {
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Benchmarks</h1>
      <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
        Two kinds of measurement will live here: the survey&apos;s head-to-head comparison of PEFT methods on
        T5 models, and our own benchmark of every method fine-tuning the small transformer that the playgrounds
        run in your browser.
      </p>
      <div className="mt-6 max-w-3xl">
        <ComingSoon>
          The survey data will appear with its sources once it is checked into the site&apos;s dataset, and the
          toy benchmark once the in-browser training engine exists. Nothing here is estimated in the meantime.
        </ComingSoon>
      </div>
    </>
  );
}
