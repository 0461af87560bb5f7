/**
 * Time to target in the browser: opens each method's page in headless Chromium, clicks the
 * playground's Start with its default settings and measures, from the click, how long until the
 * displayed held-out exact match reaches the task's target (`target` in lib/peft/model/tasks.ts)
 * and until the run ends. Then trains full fine-tuning for a few steps in the same browser and
 * prints each method's ms/step over full fine-tuning's. A benchmark, not a test: figures depend on
 * the machine, so run it alone on a built site.
 *   npm run bench:ttt -- [--dir out | --origin http://host:port] [--method lora --method adapters ...]
 *                        [--backend wasm|auto|webgl|cpu] [--runs 1] [--full-steps 40] [--full] [--lr bitfit=2e-2] [--json file]
 * --full unticks "Stop at the target", so runs train all their steps (for the final exact match).
 * Defaults: the built site in out/, LoRA, adapters and BitFit, the WASM backend chosen by hand.
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { findPeftMethod } from '@/lib/peft/registry';
import { defaultTask } from '@/components/playground/settings';
import { findTask } from '@/lib/peft/model/tasks';
import { median } from '@/lib/stats';
import { serve } from './serve.mjs';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: 'out' },
    origin: { type: 'string' },
    port: { type: 'string', default: '4181' },
    method: { type: 'string', multiple: true },
    backend: { type: 'string', default: 'wasm' },
    runs: { type: 'string', default: '1' },
    'full-steps': { type: 'string', default: '40' },
    json: { type: 'string' },
    full: { type: 'boolean', default: false },
    lr: { type: 'string', multiple: true },
  },
});
const methods = args.method ?? ['lora', 'adapters', 'bitfit'];
/** --lr <method>=<rate>: type a learning rate into the form instead of the method's default. */
const learningRates = new Map((args.lr ?? []).map((s) => s.split('=') as [string, string]));
const runs = Math.max(1, Number(args.runs));
const fullSteps = Math.max(10, Number(args['full-steps']));

/** What the page showed over one run, timed in the page from the click on Start. */
interface Observed {
  backend: string;
  firstStepMs: number | null;
  targetMs: number | null;
  targetStep: number | null;
  endMs: number | null;
  steps: number;
  finalAccuracy: number | null;
  baseline: number | null;
  msPerStep: number | null;
  status: string;
  error: string | null;
  /** The reason the page gave for its backend. */
  backendReason: string;
  /** The target line the page showed at the end. */
  targetLine: string;
  /** Compressed bytes the page fetched after the click on Start. */
  downloadedBytes?: number;
  downloads?: string[];
}

/** Runs in the page: clicks Start and polls the readouts every 20 ms until the run ends. */
function watchRun({ target, timeoutMs }: { target: number; timeoutMs: number }): Promise<Observed> {
  const byId = (id: string) => document.querySelector(`[data-testid="${id}"]`);
  const value = (id: string) => {
    const raw = byId(id)?.getAttribute('data-value');
    return raw === null || raw === undefined || raw === '' ? null : Number(raw);
  };
  const start = byId('pg-start') as HTMLButtonElement;
  const t0 = performance.now();
  start.click();
  const seen: Observed = { backend: '', firstStepMs: null, targetMs: null, targetStep: null, endMs: null, steps: 0, finalAccuracy: null, baseline: null, msPerStep: null, status: '', error: null, backendReason: '', targetLine: '' };
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now() - t0;
      const step = value('pg-step') ?? 0;
      const accuracy = value('pg-accuracy');
      if (step > 0 && seen.firstStepMs === null) seen.firstStepMs = now;
      if (step > 0 && seen.targetMs === null && accuracy !== null && accuracy >= target - 1e-9) {
        seen.targetMs = now;
        seen.targetStep = step;
      }
      const status = byId('pg-status')?.textContent ?? '';
      const error = byId('pg-error')?.textContent ?? null;
      const ended = /(Finished|Stopped)[^.]* after \d+ steps/.test(status) || error !== null;
      if (ended || now > timeoutMs) {
        clearInterval(timer);
        Object.assign(seen, {
          backend: byId('pg-backend')?.textContent ?? '',
          endMs: ended ? now : null,
          steps: step,
          finalAccuracy: accuracy,
          baseline: value('pg-baseline'),
          msPerStep: value('pg-ms'),
          status: status.trim(),
          error,
          backendReason: byId('pg-backend-reason')?.textContent ?? '',
          targetLine: byId('playground-target')?.textContent ?? '',
        });
        resolve(seen);
      }
    }, 20);
  });
}

const BACKEND_OPTION: Record<string, string> = { wasm: 'wasm', webgl: 'webgl', cpu: 'cpu', webgpu: 'webgpu', auto: 'auto' };

async function runOnce(browser: Browser, origin: string, method: string, options: { steps?: number; full?: boolean } = {}): Promise<Observed> {
  // A fresh context per run: nothing cached, as for a first visit.
  const context = await browser.newContext();
  // tsx compiles with keepNames, which wraps the page function's inner functions in __name().
  await context.addInitScript('globalThis.__name = (f) => f');
  const page = await context.newPage();
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url());
  });
  try {
    await page.goto(`${origin}/methods/${method}/`);
    await page.getByTestId('theme-toggle').waitFor({ state: 'visible' });
    await page.waitForFunction(() => !(document.querySelector('[data-testid="theme-toggle"]') as HTMLButtonElement | null)?.disabled);
    await page.getByTestId('pg-start').waitFor({ state: 'visible', timeout: 30_000 });
    const backend = BACKEND_OPTION[args.backend];
    if (!backend) throw new Error(`unknown --backend "${args.backend}"`);
    await page.getByTestId('pg-backend-select').selectOption(backend);
    if (options.steps !== undefined) await page.getByTestId('playground').getByLabel('Steps', { exact: true }).fill(String(options.steps));
    const lr = learningRates.get(method);
    if (lr) await page.getByTestId('playground').getByLabel('Learning rate', { exact: true }).fill(lr);
    // Older builds have no stop-at-target box; --full unticks it where there is one.
    const stopBox = page.getByTestId('pg-stop-at-target');
    if (options.full && (await stopBox.count()) > 0) await stopBox.uncheck();
    const downloads: { url: string; bytes: number }[] = [];
    let counting = false;
    page.on('requestfinished', async (r) => {
      if (!counting) return;
      const sizes = await r.sizes().catch(() => null);
      if (sizes) downloads.push({ url: r.url().replace(origin, ''), bytes: sizes.responseBodySize + sizes.responseHeadersSize });
    });
    counting = true;
    const target = findTask(defaultTask(findPeftMethod(method))).target;
    const observed = await page.evaluate(watchRun, { target, timeoutMs: 300_000 });
    if (external.length > 0) throw new Error(`requests left localhost: ${external.join(', ')}`);
    return { ...observed, downloadedBytes: downloads.reduce((sum, d) => sum + d.bytes, 0), downloads: downloads.map((d) => `${d.url} ${d.bytes}`) };
  } finally {
    await context.close();
  }
}

const fmt = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

let server: Server | null = null;
if (!args.origin) server = (await serve({ dir: args.dir, port: Number(args.port) })) as Server;
const origin = args.origin ?? `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const rows: Record<string, unknown>[] = [];
try {
  console.log(`time to target: ${origin}, backend ${args.backend}, ${runs} run(s) per method`);
  console.log('method          task   target  backend                first step  to target (step)   end       steps  final EM  ms/step');
  const full = await runOnce(browser, origin, 'full-fine-tuning', { steps: fullSteps });
  for (const method of methods) {
    const task = findTask(defaultTask(findPeftMethod(method)));
    for (let i = 0; i < runs; i++) {
      const o = await runOnce(browser, origin, method, { full: args.full });
      rows.push({ method, task: task.id, target: task.target, run: i + 1, ...o, fullFineTuningMsPerStep: full.msPerStep });
      console.log(
        `${method.padEnd(15)} ${task.id.padEnd(6)} ${task.target.toFixed(2).padEnd(7)} ${o.backend.padEnd(22)} ${fmt(o.firstStepMs).padEnd(11)} ${`${fmt(o.targetMs)} (${o.targetStep ?? '–'})`.padEnd(18)} ${fmt(o.endMs).padEnd(9)} ${String(o.steps).padEnd(6)} ${o.finalAccuracy === null ? '–' : o.finalAccuracy.toFixed(3)}     ${o.msPerStep?.toFixed(1) ?? '–'}${o.error ? `  error: ${o.error}` : ''}`,
      );
    }
  }
  for (const r of rows) console.log(`${r.method}: ${r.targetLine} | backend: ${r.backendReason || '(no reason shown)'} | downloaded after Start: ${((r.downloadedBytes as number) / 1e6).toFixed(2)} MB`);
  console.log(`\nfull fine-tuning (${full.steps} steps, ${full.backend}): ${full.msPerStep?.toFixed(1) ?? '–'} ms/step (median)`);
  for (const method of methods) {
    const times = rows.filter((r) => r.method === method).map((r) => r.msPerStep as number | null).filter((x): x is number => x !== null);
    if (times.length > 0 && full.msPerStep) console.log(`${method}: ${median(times).toFixed(1)} ms/step = ${(median(times) / full.msPerStep).toFixed(2)} × full fine-tuning's`);
  }
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ origin, backend: args.backend, fullFineTuning: full, rows }, null, 2)}\n`);
} finally {
  await browser.close();
  server?.close();
}
