/**
 * Times what the compare page and calculators do on every change: estimate every implemented
 * method on every model. A benchmark, not a test: it prints figures.
 *   npm run bench:compare -- [--rounds 20]
 */
import { DEFAULT_SETUP } from '@/lib/peft/cost/setup';
import { compareMethods } from '@/lib/peft/compare';
import { MODELS } from '@/lib/peft/models';
import { METHODS } from '@/lib/peft/registry';
import { median } from '@/lib/stats';
import { numberFlag, parseFlags } from './lib/cli';

const rounds = numberFlag(parseFlags(process.argv.slice(2)), 'rounds', 20);
const times: number[] = [];
for (let i = 0; i < rounds + 3; i++) {
  const started = performance.now();
  for (const model of MODELS) compareMethods(model.id, { ...DEFAULT_SETUP, batchSize: 1 + (i % 8) });
  if (i >= 3) times.push(performance.now() - started); // the first rounds warm up the JIT
}
const perPage = median(times) / MODELS.length;
console.log(`${METHODS.length} methods × ${MODELS.length} models, ${rounds} rounds (Node ${process.version})`);
console.log(`all methods × all models: median ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`);
console.log(`one compare page (all methods, one model): ${perPage.toFixed(3)} ms on average`);
