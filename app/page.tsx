import Link from 'next/link';
import { CategoryBadge } from '@/components/methods/CategoryBadge';
import { TaxonomyMap } from '@/components/taxonomy/TaxonomyMap';
import { taxonomyMap } from '@/components/taxonomy/map-data';
import { CATEGORIES, CATEGORY_LABELS, taxonomy } from '@/lib/peft/taxonomy';

const ENTRY_POINTS = [
  { href: '/methods/', title: 'Browse the methods', text: 'Every method of the taxonomy in one filterable table, each with its paper.' },
  { href: '/methods/lora/', title: 'Start with LoRA', text: 'The most used reparametrization: read it, then fine-tune a small model with it in your browser.' },
  { href: '/calculator/', title: 'Size a training run', text: 'Exact trainable parameters and estimated GPU memory of a method on Llama, T5, GPT-2 and more.' },
  { href: '/guide/', title: 'Find the method that fits', text: 'Your model, GPU memory, number of tasks and latency needs in; methods ranked with their reasons out.' },
  { href: '/race/', title: 'Race methods', text: 'Two to six methods fine-tune the same small model side by side in your browser, live.' },
  { href: '/benchmarks/', title: 'Read the benchmarks', text: 'Every method measured on the toy tasks over seeds, costs on real models, and the survey’s own counts.' },
  { href: '/compare/', title: 'Compare on one model', text: 'Every implemented method side by side: parameters, memory, checkpoint and compute.' },
  { href: '/about/', title: 'About the survey', text: 'Where the taxonomy comes from, how to cite it, and how this site works.' },
];

export default function Home() {
  return (
    <>
      <section className="max-w-3xl">
        <h1 className="text-4xl font-bold tracking-tight">Parameter-efficient fine-tuning, mapped</h1>
        <p className="mt-4 text-lg text-slate-700 dark:text-slate-300">
          Fine-tuning every weight of a large language model means storing a full copy of it per task and
          holding gradients and optimizer state for every parameter while training. Parameter-efficient
          fine-tuning (PEFT) trains a small set of parameters instead, new or existing, and leaves the rest
          of the pretrained model frozen.
        </p>
        <p className="mt-3 text-slate-700 dark:text-slate-300">
          PEFT Atlas follows the taxonomy of the survey{' '}
          <a className="underline" href="https://arxiv.org/abs/2303.15647">
            <cite>Scaling Down to Scale Up</cite>
          </a>{' '}
          (Lialin et al.) and, method by method, explains what is trained, what it costs, and how it behaves.
        </p>
      </section>

      <section aria-labelledby="categories" className="mt-12">
        <h2 id="categories" className="text-2xl font-semibold">
          The taxonomy at a glance
        </h2>
        <p className="mt-2 max-w-3xl text-slate-700 dark:text-slate-300">
          The survey&apos;s taxonomy figure, redrawn: three families of methods, with hybrids where they overlap and later
          methods as rings. Every name opens its page.{' '}
          <Link className="underline" href="/taxonomy/">
            Search and filter the map, or read it as a list
          </Link>
          .
        </p>
        <div className="mt-4">
          <TaxonomyMap model={taxonomyMap()} variant="compact" id="home-map" title="The taxonomy of PEFT methods as a Venn diagram of links" />
        </div>
        <dl className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {CATEGORIES.map((category) => {
            const members = taxonomy.methods.filter((m) => m.category === category);
            return (
              <div key={category}>
                <dt className="font-semibold">
                  <CategoryBadge category={category} label={CATEGORY_LABELS[category]} />
                </dt>
                <dd className="mt-1 text-sm text-slate-700 dark:text-slate-300">
                  {taxonomy.categories[category]}{' '}
                  <Link className="underline" href={`/methods/?category=${category}`}>
                    {members.length} methods
                  </Link>
                  .
                </dd>
              </div>
            );
          })}
        </dl>
      </section>

      <section aria-labelledby="start" className="mt-12">
        <h2 id="start" className="text-2xl font-semibold">
          Where to start
        </h2>
        <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {ENTRY_POINTS.map((e) => (
            <li key={e.href}>
              <Link
                href={e.href}
                className="block h-full rounded-lg border border-slate-200 p-4 hover:border-brand-600 dark:border-slate-700 dark:hover:border-brand-300"
              >
                <span className="font-semibold">{e.title}</span>
                <span className="mt-1 block text-sm text-slate-700 dark:text-slate-300">{e.text}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
