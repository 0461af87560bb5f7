import type { Metadata } from 'next';
import Link from 'next/link';
import { CitationBlock } from '@/components/content/CitationBlock';
import { MdxBody } from '@/components/content/MdxBody';
import { ReadingLayout } from '@/components/content/ReadingLayout';
import { SURVEY_CITATION } from '@/lib/content/citation';
import { loadProsePage } from '@/lib/content/pages';
import { tocFromMdx } from '@/lib/content/toc';
import { CATEGORY_LABELS, taxonomy } from '@/lib/peft/taxonomy';

const page = loadProsePage('survey');

/** The survey v1 came out in March 2023; methods published before it are older than the survey. */
const SURVEY_V1_YEAR = 2023;

// Rendered from the taxonomy rather than written in the MDX, so the list cannot drift from the data.
const later = taxonomy.methods
  .filter((m) => m.survey === 'beyond')
  .sort((a, b) => (a.paper?.year ?? 0) - (b.paper?.year ?? 0) || a.name.localeCompare(b.name));
const older = later.filter((m) => (m.paper?.year ?? SURVEY_V1_YEAR) < SURVEY_V1_YEAR).map((m) => m.name);
const LATER_HEADING = { depth: 2, id: 'beyond-the-survey', text: "Beyond the survey's taxonomy" } as const;

export const metadata: Metadata = { title: page.frontmatter.title, description: page.frontmatter.description };

function listOf(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export default function SurveyPage() {
  return (
    <article>
      <h1 className="text-3xl font-bold tracking-tight">{page.frontmatter.title}</h1>
      <div className="mt-6">
        <ReadingLayout toc={[...tocFromMdx(page.body), LATER_HEADING]}>
          <MdxBody source={page.body} file={page.file} />

          <section
            aria-labelledby={LATER_HEADING.id}
            className="reading-measure prose prose-slate mt-10 max-w-none dark:prose-invert prose-headings:scroll-mt-6"
          >
            <h2 id={LATER_HEADING.id}>{LATER_HEADING.text}</h2>
            <p>
              These {later.length} methods are not in the taxonomy figure of the survey&apos;s first version; we
              placed them in its families ourselves. Most were published after it
              {older.length > 0 && <>; {listOf(older)} are older but widely used today</>}. See them on the{' '}
              <Link href="/taxonomy/">taxonomy map</Link> and in the <Link href="/lineage/">lineage view</Link>.
            </p>
            <ul>
              {later.map((m) => (
                <li key={m.id}>
                  <Link href={`/methods/${m.id}/`}>{m.name}</Link>{' '}
                  <span className="text-slate-600 dark:text-slate-400">
                    ({m.paper?.year}, {CATEGORY_LABELS[m.category]})
                  </span>
                  : {m.summary}
                </li>
              ))}
            </ul>
          </section>

          <CitationBlock citation={SURVEY_CITATION} heading="Cite the survey" />
        </ReadingLayout>
      </div>
    </article>
  );
}
