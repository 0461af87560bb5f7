import data from '@/content/data/toy-transfer.json';
import { findTask, type TaskId } from '@/lib/peft/model/tasks';
import { findPeftMethod } from '@/lib/peft/registry';
import { sourceTasks } from '@/lib/peft/methods/spot';

/**
 * A transfer method's measured gain on the toy (content/data/toy-transfer.json, written by
 * scripts/benchmark-transfer.ts): per target task, held-out exact match and loss from scratch and
 * with the source phase, means over seeds with each seed's value underneath, and the settings the
 * figures hold for. A server component: static HTML only.
 */

interface Arm {
  exactMatch: number[];
  loss: number[];
  meanExactMatch: number;
  meanLoss: number;
}

interface Row {
  method: string;
  task: string;
  config: Record<string, unknown>;
  scratch: Record<string, unknown>;
  transfer: Arm;
  fromScratch: Arm;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const CELL = 'align-top whitespace-nowrap tabular-nums';
const SEEDS = 'block text-xs text-slate-600 dark:text-slate-400';

/** What the source phase was, in words: its tasks and its steps. */
function sourceWords(row: Row): string {
  // Attention Fusion names one source task (`source`); SPoT and IPT a set of them (`sources`).
  const ids = typeof row.config.source === 'string' ? [row.config.source] : sourceTasks(String(row.config.sources), row.task as TaskId);
  const tasks = ids.map((id) => findTask(id).name.toLowerCase());
  const steps = [`${row.config.sourceSteps} steps${row.method === 'ipt' ? ' per source prompt' : tasks.length > 1 ? ' in all' : ''}`];
  if (typeof row.config.autoencoderSteps === 'number') steps.push(`${row.config.autoencoderSteps} auto-encoder steps`);
  return `${tasks.join(', ')}; ${steps.join(', ')}`;
}

/** The override that makes a run "from scratch", in words. */
function scratchWords(scratch: Record<string, unknown>): string {
  return Object.entries(scratch)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

export function TransferResults({ method }: { method: string }) {
  const rows = (data.rows as Row[]).filter((r) => r.method === method);
  // A page that asks for figures that were never measured is a build error, not an empty table.
  if (rows.length === 0) throw new Error(`content/data/toy-transfer.json has no rows for "${method}": run scripts/benchmark-transfer.ts`);
  const { date, backend, targetSteps, batchSize, seeds } = data.measured;
  const name = findPeftMethod(method).name;
  return (
    <figure className="wide" data-transfer-results={method}>
      <div className="overflow-x-auto" role="region" aria-label={`${name} on the toy: transfer against from scratch`} tabIndex={0}>
        <table className="text-sm">
          <caption className="sr-only">
            {name} on each target task: held-out exact match and loss after {targetSteps} target steps from scratch and with the source phase, means over
            seeds with each seed below
          </caption>
          <thead>
            <tr>
              <th scope="col">Target task</th>
              <th scope="col">Source phase</th>
              <th scope="col">Exact match: from scratch → with transfer</th>
              <th scope="col">Held-out loss: from scratch → with transfer</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.task}>
                <th scope="row" className="align-top text-left font-normal">
                  {findTask(r.task).name}
                </th>
                <td className="min-w-[12rem] align-top">{sourceWords(r)}</td>
                <td className={CELL}>
                  {pct(r.fromScratch.meanExactMatch)} → <strong>{pct(r.transfer.meanExactMatch)}</strong>
                  <span className={SEEDS}>
                    seeds: {r.fromScratch.exactMatch.map(pct).join(', ')} → {r.transfer.exactMatch.map(pct).join(', ')}
                  </span>
                </td>
                <td className={CELL}>
                  {r.fromScratch.meanLoss.toFixed(3)} → <strong>{r.transfer.meanLoss.toFixed(3)}</strong>
                  <span className={SEEDS}>
                    seeds: {r.fromScratch.loss.map((v) => v.toFixed(2)).join(', ')} → {r.transfer.loss.map((v) => v.toFixed(2)).join(', ')}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Measured by <code>scripts/benchmark-transfer.ts</code> on {date} ({backend} backend): the shipped toy model, {targetSteps} steps of batch {batchSize}{' '}
        on the target task at the method’s toy learning rate, seeds {seeds.join(', ')}; exact match and loss on 128 held-out examples of the target. “From
        scratch” is the same method with {scratchWords(rows[0]!.scratch)}: no source phase. Toy figures: they show the mechanism, not what the paper
        measured on real models.
      </figcaption>
    </figure>
  );
}
