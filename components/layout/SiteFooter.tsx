import Link from 'next/link';

export function SiteFooter() {
  return (
    <footer className="mt-16 border-t border-slate-200 py-6 text-sm text-slate-600 dark:border-slate-800 dark:text-slate-400">
      <div className="mx-auto max-w-6xl px-4">
        Built on the survey{' '}
        <a href="https://arxiv.org/abs/2303.15647" className="underline">
          <cite>Scaling Down to Scale Up: A Guide to Parameter-Efficient Fine-Tuning</cite>
        </a>{' '}
        by Lialin, Deshpande, Yao and Rumshisky. The explanations are our own;{' '}
        <Link href="/about/" className="underline">
          how to cite
        </Link>
        .
      </div>
    </footer>
  );
}
