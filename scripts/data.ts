/**
 * Rebuilds the benchmark datasets in content/data/ (JSON + CSV each), from scratch:
 *   npm run data -- [--skip-toy] [--resume]
 * - survey-results: from the curated survey-v2-experiments.json (seconds);
 * - analytic-costs: every method × model × setup from lib/peft/cost (under a minute);
 * - toy-benchmark: the full protocol (every method on every toy task, seeds 0,1,2, 300 steps),
 *   which takes hours on two cores; --resume keeps the runs already in the file, --skip-toy leaves
 *   the file as it is.
 */
import { spawnSync } from 'node:child_process';
import { METHODS } from '@/lib/peft/registry';
import { TASKS, taskProblem } from '@/lib/peft/model/tasks';
import { UsageError, fail, parseFlags } from './lib/cli';
import { writeAnalyticCosts } from './data/analytic-costs';
import { writeSurveyResults } from './data/survey-results';

/** Seconds per toy run measured on two shared cores (scripts/benchmark-toy.ts, wasm): a rough guide. */
const SECONDS_PER_RUN = 60;
const SEEDS = [0, 1, 2];

try {
  const flags = parseFlags(process.argv.slice(2), new Set(['skip-toy', 'resume']));
  for (const name of flags.keys()) if (name !== 'skip-toy' && name !== 'resume') fail(`unknown flag --${name}; use --skip-toy or --resume`);
  const skipToy = flags.get('skip-toy') === 'true';
  const resume = flags.get('resume') === 'true';

  writeSurveyResults();
  writeAnalyticCosts();

  if (skipToy) console.log('toy benchmark: skipped (--skip-toy); content/data/toy-benchmark.json left as it is');
  else {
    const runs = TASKS.reduce((n, task) => n + METHODS.filter((m) => !taskProblem(m, task)).length, 0) * SEEDS.length;
    const hours = (runs * SECONDS_PER_RUN) / 3600;
    console.log(`toy benchmark: ${runs} runs (${TASKS.length} tasks, ${METHODS.length} methods, seeds ${SEEDS.join(',')}), about ${hours.toFixed(1)} h at ~${SECONDS_PER_RUN} s a run${resume ? ', fewer with the runs the file already has' : ''}`);
    const args = ['tsx', 'scripts/benchmark-toy.ts', '--task', 'all', '--method', 'all', '--seeds', SEEDS.join(','), '--steps', '300', '--eval-every', '25', ...(resume ? ['--resume'] : [])];
    const result = spawnSync('npx', args, { stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`data: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
