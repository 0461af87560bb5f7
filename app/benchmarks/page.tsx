import type { Metadata } from 'next';
import Link from 'next/link';
import { ComingSoon } from '@/components/content/ComingSoon';
import { EMBED_HEADINGS } from '@/lib/content/embed-headings';

export const metadata: Metadata = { title: 'Benchmarks', description: 'The survey results and our own toy benchmark.' };

export default function BenchmarksPage() {
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Benchmarks</h1>
      <p className="mt-2 max-w-measure text-slate-700 dark:text-slate-300">
        This page will show two kinds of measurement: the survey&apos;s head-to-head comparison of PEFT methods on T5 models, and our own benchmark of
        every method this site implements fine-tuning the small transformer that the playgrounds run in your browser.
      </p>
      <div className="mt-6 max-w-measure">
        <ComingSoon>
          Neither is shown yet: each will appear with its sources once it has been checked. Meanwhile the{' '}
          <Link href={`/methods/lora/#${EMBED_HEADINGS.Playground.id}`} className="underline">
            playground on each written method page
          </Link>{' '}
          runs that fine-tune in your browser and measures it as it trains, and{' '}
          <Link href="/compare/" className="underline">
            Compare
          </Link>{' '}
          sets the methods&apos; sizes and memory side by side on real models.
        </ComingSoon>
      </div>
    </>
  );
}
