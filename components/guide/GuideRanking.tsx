import {
  type Criterion,
  type GuideAnswer,
  type GuideInput,
  INFERENCE_ZERO_SHARE,
  type Recommendation,
  STEP_POINTS,
  STEP_WORDS,
  STORAGE_FULL_RATIO,
  STORAGE_ZERO_RATIO,
  SURVEY_FINDINGS,
  SURVEY_PAGE,
  TIGHT_PENALTY,
  TIGHT_SHARE,
  UNMEASURED_QUALITY,
  WEIGHTS,
  formatGiB,
  formatStorage,
} from '@/lib/peft/guide';

/** Recommendations shown with their reasons in view; the rest are one click away. */
const SHOWN = 5;

const CRITERION_LABELS: Record<Criterion, string> = {
  memory: 'Memory',
  storage: 'Storage',
  inference: 'Inference',
  quality: 'Toy quality',
  survey: 'Survey',
};

const LINK = 'underline decoration-slate-400 underline-offset-2 hover:decoration-current';
const MUTED = 'text-slate-600 dark:text-slate-400';

/** The ranked answer: the first recommendations with every reason and its points, then the rest,
 * then the methods that do not fit or do not apply, and how the score is made. */
export function GuideRanking({ answer, input, pending }: { answer: GuideAnswer; input: GuideInput; pending: boolean }) {
  const setting = `${answer.modelName}, ${formatGiB(answer.capacityBytes)} of GPU memory, ${input.tasks.toLocaleString('en-US')} task${input.tasks === 1 ? '' : 's'}, ${input.latency ? 'latency matters' : 'throughput only'}, batch ${input.batchSize} × ${input.sequenceLength} tokens`;
  const first = answer.ranked.slice(0, SHOWN);
  const rest = answer.ranked.slice(SHOWN);
  return (
    <div data-testid="guide-answer" aria-busy={pending || undefined} className={`mt-8 min-w-0 ${pending ? 'opacity-70' : ''}`}>
      <h2 className="text-xl font-semibold">The ranking</h2>
      <p className={`mt-1 text-sm ${MUTED}`}>For {setting}.</p>

      {answer.ranked.length === 0 ? (
        <div data-testid="guide-empty" role="status" className="mt-4 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-700 dark:bg-amber-950/40">
          <p className="font-medium">No implemented method fits in {formatGiB(answer.capacityBytes)}, even with gradient checkpointing and 4-bit base weights.</p>
          {answer.smallestNeeded && (
            <p className="mt-1">
              The smallest need is{' '}
              <a className={LINK} href={`/methods/${answer.smallestNeeded.id}/`}>
                {answer.smallestNeeded.name}
              </a>
              : <span data-testid="guide-smallest">{formatGiB(answer.smallestNeeded.bytes)}</span> ({STEP_WORDS[answer.smallestNeeded.step]}). A shorter batch or sequence, or a GPU with more memory, may help.
            </p>
          )}
        </div>
      ) : (
        <>
          <p className="mt-3 text-sm" data-testid="guide-summary">
            {answer.ranked.length} of {answer.ranked.length + answer.doesNotFit.length + answer.notApplicable.length} methods fit. First:{' '}
            <strong>{answer.ranked[0]!.name}</strong>, {answer.ranked[0]!.score} of {answer.ranked[0]!.maxScore} points.
          </p>
          <ol data-testid="guide-ranking" className="mt-4 flex flex-col gap-4">
            {first.map((r) => (
              <RecommendationItem key={r.id} r={r} />
            ))}
          </ol>
          {rest.length > 0 && (
            <details className="mt-4 text-sm">
              <summary className="cursor-pointer font-medium">{rest.length} more methods that fit, in order</summary>
              <ol className="mt-3 flex flex-col gap-4">
                {rest.map((r) => (
                  <RecommendationItem key={r.id} r={r} />
                ))}
              </ol>
            </details>
          )}
        </>
      )}

      {answer.doesNotFit.length > 0 && (
        <details data-testid="guide-no-fit" className="mt-4 text-sm">
          <summary className="cursor-pointer font-medium">
            {answer.doesNotFit.length} {answer.doesNotFit.length === 1 ? 'method does' : 'methods do'} not fit in {formatGiB(answer.capacityBytes)}
          </summary>
          <ul className="mt-2 flex flex-col gap-1">
            {answer.doesNotFit.map((d) => (
              <li key={d.id}>
                <a className={LINK} href={`/methods/${d.id}/`}>
                  {d.name}
                </a>{' '}
                needs at least {formatGiB(d.bytes)} <span className={MUTED}>({STEP_WORDS[d.step]})</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {answer.notApplicable.length > 0 && (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer font-medium">
            {answer.notApplicable.length} {answer.notApplicable.length === 1 ? 'method does' : 'methods do'} not apply to {answer.modelName}
          </summary>
          <ul className="mt-2 flex flex-col gap-1">
            {answer.notApplicable.map((d) => (
              <li key={d.id}>
                <a className={LINK} href={`/methods/${d.id}/`}>
                  {d.name}
                </a>
                : {d.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <HowScored latency={input.latency} />
    </div>
  );
}

function RecommendationItem({ r }: { r: Recommendation }) {
  return (
    <li data-testid="guide-rec" data-method={r.id} className="min-w-0 rounded-lg border border-slate-200 p-4 dark:border-slate-700">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className={`font-mono text-sm ${MUTED}`}>{r.rank}.</span>
        <a className={`text-lg font-semibold ${LINK}`} href={r.methodHref}>
          {r.name}
        </a>
        <span data-testid="guide-score" data-value={r.score} className="font-mono text-sm">
          {r.score} / {r.maxScore}
        </span>
        <a className={`text-sm ${LINK}`} href={r.calculatorHref}>
          Open in the calculator
        </a>
      </div>
      <ul data-testid="guide-reasons" className="mt-2 flex flex-col gap-1 text-sm">
        {r.parts.map((p) => (
          <li key={p.criterion} className="grid grid-cols-[4.5rem_1fr] gap-x-2">
            <span className={`font-mono ${MUTED}`}>
              {p.points}/{p.max}
            </span>
            <span className="min-w-0 break-words">
              <strong className="font-medium">{CRITERION_LABELS[p.criterion]}.</strong>{' '}
              {p.findings ? (
                <>
                  {p.findings.map((f, i) => (
                    <span key={f.id}>
                      {i > 0 && '; '}
                      {i === 0 ? f.text.charAt(0).toUpperCase() + f.text.slice(1) : f.text} (
                      <a className={LINK} href={f.href}>
                        {f.cite}
                      </a>
                      )
                    </span>
                  ))}
                  .
                </>
              ) : (
                p.text
              )}
            </span>
          </li>
        ))}
        {r.notes.map((n) => (
          <li key={n.id} className={`grid grid-cols-[4.5rem_1fr] gap-x-2 ${MUTED}`}>
            <span className="font-mono">note</span>
            <span className="min-w-0">
              {n.text} (
              <a className={LINK} href={n.href}>
                {n.cite}
              </a>
              ); it scores no points.
            </span>
          </li>
        ))}
      </ul>
    </li>
  );
}

function HowScored({ latency }: { latency: boolean }) {
  const inference = latency ? WEIGHTS.inferenceLatency : WEIGHTS.inferenceThroughput;
  return (
    <details data-testid="guide-how" className="mt-4 text-sm">
      <summary className="cursor-pointer font-medium">How the score is made</summary>
      <ul className="mt-2 flex list-disc flex-col gap-1 pl-5">
        <li>
          <strong className="font-medium">Memory, {WEIGHTS.memory} points.</strong> The cost model’s peak training memory at each method’s default settings (
          <a className={LINK} href="/about/cost-model/">
            how it is computed
          </a>
          ): {STEP_POINTS['as-given']} if it fits as given, {STEP_POINTS.checkpointing} if it needs gradient checkpointing, {STEP_POINTS.nf4} if it also needs 4-bit NF4 base
          weights (offered only to methods that keep every base weight frozen). {TIGHT_PENALTY} fewer when it fills more than {TIGHT_SHARE * 100}% of the GPU. A method that does
          not fit even then is left out.
        </li>
        <li>
          <strong className="font-medium">Storage, {WEIGHTS.storage} points.</strong> Checkpoint per task (fp32, as trained) × tasks, against the base model in bf16: full points at{' '}
          {STORAGE_FULL_RATIO * 100}% of it or less, none at {STORAGE_ZERO_RATIO}× or more, on a log scale between. Full fine-tuning stores a whole model per task.
        </li>
        <li>
          <strong className="font-medium">Inference, {inference} points{latency ? ' (latency matters)' : ' (throughput only: 5 points)'}.</strong> Full points when the update merges
          into the weights or changes no structure. A method that keeps modules or tokens at inference gets {latency ? 'at most half' : 'up to all'} of them, falling to none at{' '}
          {INFERENCE_ZERO_SHARE * 100}% extra compute per token.
        </li>
        <li>
          <strong className="font-medium">Toy quality, {WEIGHTS.quality} points.</strong> {WEIGHTS.quality} × the mean held-out exact match on the toy tasks the method was measured
          on (the{' '}
          <a className={LINK} href="/benchmarks/">
            toy benchmark
          </a>
          ; a tiny model, so a hint, not a verdict). Not measured yet: {UNMEASURED_QUALITY} points, neither credit nor penalty.
        </li>
        <li>
          <strong className="font-medium">Survey, up to {WEIGHTS.survey} points.</strong> Only findings checked against the survey’s text (
          <a className={LINK} href={SURVEY_PAGE}>
            our survey page
          </a>
          ): {SURVEY_FINDINGS['practical-at-scale'].points} for the methods v1 §14 calls proven practical at scale, {SURVEY_FINDINGS['low-rank'].points} for low-rank or
          Kronecker updates (v1 §14), {SURVEY_FINDINGS['strong-baseline'].points} for LoRA as the strong baseline of the v2 abstract. Other checked findings show as notes without
          points.
        </li>
      </ul>
      <p className={`mt-2 ${MUTED}`}>Ties go to the method that needs less memory. Storage sizes are in decimal units ({formatStorage(1e9)} = 10⁹ bytes); GPU memory in GiB.</p>
    </details>
  );
}
