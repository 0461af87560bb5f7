import { ROWS, TOLERANCE, validationResults, type MeasuredAs, type ValidationResult, type ValidationRow } from '@/lib/content/cost-validation';
import { SETUP_LABELS, type TrainingSetup } from '@/lib/peft/cost/setup';
import { findPeftMethod } from '@/lib/peft/registry';

/**
 * The cost model next to published measurements (content/data/cost-validation.json), computed at
 * build time by the same function cost-validation.test.ts asserts, so the page cannot drift from
 * the tests. A server component: static HTML only.
 */

const WHAT: Record<MeasuredAs, string> = {
  max_memory_allocated: 'allocated',
  max_memory_reserved: 'reserved',
  'nvidia-smi': 'nvidia-smi',
  'file-size': 'file size',
  printed: 'printed',
  unknown: 'not stated (read as allocated)',
};

const RECIPE: Record<TrainingSetup['recipe'], string> = {
  'mixed-bf16': 'bf16 mixed',
  'mixed-fp16': 'fp16 mixed',
  amp: 'PyTorch AMP',
  'pure-bf16': 'pure bf16',
  fp32: 'fp32',
};

const SHARDING: Record<TrainingSetup['sharding'], string> = { ddp: 'DDP', zero1: 'ZeRO-1', zero2: 'ZeRO-2', zero3: 'ZeRO-3 / FSDP' };

/** The source's title without its trailing note on dates and commits (kept in the JSON). */
function shortTitle(title: string): string {
  return title.replace(/\s*\([^()]*\)\s*$/, '');
}

function hyperWords(hyper: ValidationRow['hyper']): string[] {
  const words: string[] = [];
  if (typeof hyper.r === 'number') {
    const targets = Array.isArray(hyper.targets) ? hyper.targets : [];
    const where = targets.length === 0 ? '' : targets.length <= 3 ? ` on ${targets.join(', ')}` : ` on ${targets.length} module types`;
    words.push(`r ${hyper.r}${where}`);
  }
  if (typeof hyper.tokens === 'number') words.push(`${hyper.tokens} tokens`);
  if (typeof hyper.bias === 'string' && hyper.bias !== 'none') words.push(`bias ${hyper.bias}`);
  return words;
}

/** The row's settings in a few words: only what shapes the figure it is compared on. */
function settingsWords(row: ValidationRow): string {
  const words = hyperWords(row.hyper);
  if (row.kind !== 'peak-memory') return words.join(', ') || '—';
  const s = row.setup;
  if (s.batchSize !== undefined && s.sequenceLength !== undefined) words.push(`${s.batchSize} × ${s.sequenceLength}${s.targetLength ? ` → ${s.targetLength}` : ''}`);
  if (s.meanLength) words.push(`mean ${s.meanLength} (unpadded)`);
  if (s.task === 'classification') words.push(`classifier, ${s.numLabels ?? 2} labels`);
  if (s.recipe) words.push(RECIPE[s.recipe]);
  if (s.precision === 'int8' || s.precision === 'nf4' || (s.precision === 'fp32' && s.recipe !== 'fp32')) words.push(`${s.precision} base`);
  if (s.optimizer) words.push(SETUP_LABELS[s.optimizer]);
  if (s.attention === 'eager') words.push('eager attention');
  if (s.gradientCheckpointing) words.push('checkpointing');
  if (s.activationOffloading) words.push('activation offloading');
  if (s.chunkedLoss) words.push('chunked CE');
  if (s.optimizerInBackward) words.push('optimizer in backward');
  if (s.gpus && s.gpus > 1) words.push(`${s.gpus} GPUs, ${SHARDING[s.sharding ?? 'ddp']}`);
  if (s.offload === 'optimizer') words.push('optimizer state to CPU');
  if (s.offload === 'optimizer+params') words.push('state and weights to CPU');
  return words.join(', ');
}

/** Our figure with at least the measured figure's precision, counts exact. */
function formatValue(value: number, row: ValidationRow): string {
  if (row.measured.unit === 'params' || row.measured.unit === 'bytes') return Math.round(value).toLocaleString('en-US');
  const decimals = Math.max(1, (String(row.measured.value).split('.')[1] ?? '').length);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function formatError(error: number): string {
  const pct = (100 * error).toFixed(1);
  // A true minus sign; an error that rounds to zero has none.
  return pct === '0.0' || pct === '-0.0' ? '0.0%' : error > 0 ? `+${pct}%` : `−${pct.slice(1)}%`;
}

const CELL = 'align-top';

export function CostValidationTable() {
  const results = validationResults();
  const within = results.filter((r) => r.within).length;
  const unreproducible = ROWS.filter((r) => !r.reproducible);
  // Figures of one source left out for one reason are listed together.
  const leftOut = new Map<string, ValidationRow[]>();
  for (const row of unreproducible) {
    const key = `${row.source.url} ${row.reproducible_reason ?? ''}`;
    leftOut.set(key, [...(leftOut.get(key) ?? []), row]);
  }

  // Rows that miss for the same reason share one numbered note.
  const notes = [...new Set(results.flatMap((r) => (!r.within && r.row.miss ? [r.row.miss] : [])))];
  const noteOf = (r: ValidationResult): number | null => (!r.within && r.row.miss ? notes.indexOf(r.row.miss) + 1 : null);

  const groups = new Map<string, ValidationResult[]>();
  for (const r of results) groups.set(r.row.source.url + r.row.source.title, [...(groups.get(r.row.source.url + r.row.source.title) ?? []), r]);

  return (
    <>
      <p data-validation-summary>
        <strong>
          {within} of {results.length} rows within {100 * TOLERANCE}% ({Math.round((100 * within) / results.length)}%)
        </strong>
        . Error is (ours − measured) / measured; figures are grouped by source.
      </p>
      <div className="wide overflow-x-auto" role="region" aria-label="The cost model against published measurements" tabIndex={0}>
        <table className="text-sm">
          <caption className="sr-only">
            Published measured figures, our estimate for the same model, method and settings, and the signed error; rows more than{' '}
            {100 * TOLERANCE}% off link to a note on why, under the error
          </caption>
          <thead>
            <tr>
              <th scope="col">Model, method</th>
              <th scope="col">Settings</th>
              <th scope="col">Measured</th>
              <th scope="col">Ours</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          {[...groups.values()].map((rows) => {
            const source = rows[0]!.row.source;
            return (
              <tbody key={source.url + source.title}>
                <tr>
                  <th scope="colgroup" colSpan={5} className="pt-5 text-left font-semibold">
                    <a href={source.url}>{shortTitle(source.title)}</a>
                  </th>
                </tr>
                {rows.map((r) => {
                  const note = noteOf(r);
                  const { row } = r;
                  return (
                    <tr key={row.id} id={`validation-${row.id}`}>
                      <td className={CELL}>
                        {row.model.split('/').pop()}
                        <span className="block text-xs text-slate-600 dark:text-slate-400">{findPeftMethod(row.method).name}</span>
                      </td>
                      <td className={`${CELL} min-w-[12rem]`}>{settingsWords(row)}</td>
                      <td className={`${CELL} whitespace-nowrap`}>
                        {formatValue(row.measured.value, row)} {row.measured.unit}
                        <span className="block text-xs text-slate-600 dark:text-slate-400">{WHAT[row.measured.what]}</span>
                      </td>
                      <td className={`${CELL} whitespace-nowrap`}>
                        {formatValue(r.ours, row)} {row.measured.unit}
                      </td>
                      <td className={`${CELL} whitespace-nowrap tabular-nums`}>
                        <span className={r.within ? '' : 'font-semibold text-red-800 dark:text-red-300'}>{formatError(r.error)}</span>
                        {note !== null && (
                          <a href={`#validation-note-${note}`} className="block text-xs">
                            why: note {note}
                          </a>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            );
          })}
        </table>
      </div>
      <p>
        <strong>Why rows miss by more than {100 * TOLERANCE}%.</strong>
      </p>
      <ol>
        {notes.map((text, i) => (
          <li key={text} id={`validation-note-${i + 1}`}>
            {text}
          </li>
        ))}
      </ol>
      <p>
        <strong>Figures we could not reproduce ({unreproducible.length}).</strong> They are in the data file but not in the table, because
        the source leaves out a setting the estimate depends on:
      </p>
      <ul>
        {[...leftOut.values()].map((rows) => {
          const first = rows[0]!;
          const which = rows.map((row) => `${row.model.split('/').pop()} ${findPeftMethod(row.method).name}`);
          return (
            <li key={first.id}>
              <a href={first.source.url}>{shortTitle(first.source.title)}</a> ({[...new Set(which)].join('; ')}): {first.reproducible_reason}
            </li>
          );
        })}
      </ul>
    </>
  );
}
