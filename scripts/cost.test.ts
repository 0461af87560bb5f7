import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import taxonomyFile from '@/content/data/taxonomy.json';

const BUILT = new Set(readdirSync('lib/peft/methods').map((f) => f.replace(/(\.test)?\.ts$/, '')));
const UNBUILT = taxonomyFile.methods.filter((m) => !BUILT.has(m.id));
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs the `cost` CLI as a user would (`npm run --silent cost -- …`). */
function cost(...args: string[]) {
  const r = spawnSync('node_modules/.bin/tsx', ['scripts/cost.ts', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cost CLI', { timeout: 30_000 }, () => {
  it('prints one JSON object with the trainable count, the total and memory per component', () => {
    const r = cost('--model', 'meta-llama/Llama-2-7b-hf', '--method', 'lora', '--r', '8', '--targets', 'q_proj,v_proj', '--batch', '4', '--seq', '256', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { trainable: number; total: number; setup: { batchSize: number }; memory: Record<string, number> };
    expect(out.trainable).toBe(4_194_304);
    expect(out.total).toBe(6_738_415_616);
    expect(out.setup.batchSize).toBe(4);
    const parts = ['weights', 'masterWeights', 'gradients', 'optimizerState', 'activations', 'overhead'].map((k) => out.memory[k] ?? NaN);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(out.memory.total);
  });

  it('answers "what fits" on the chosen GPU, and the largest batch it names fits while one more does not', () => {
    const run = (batch: number) => {
      const r = cost('--model', 'meta-llama/Llama-2-7b-hf', '--method', 'lora', '--batch', String(batch), '--gpu', 'a100-40', '--json');
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { memory: { total: number }; fits: { gpu: string; gpuBytes: number; fits: boolean; maxBatchSize: number; maxSequenceLength: number; smallestGpus: string[] } };
    };
    const first = run(1);
    expect(first.fits.gpu).toBe('a100-40');
    expect(first.fits.maxBatchSize).toBeGreaterThan(1);
    expect(run(first.fits.maxBatchSize).fits.fits).toBe(true);
    expect(run(first.fits.maxBatchSize + 1).fits.fits).toBe(false);
    expect(first.fits.smallestGpus.length).toBeGreaterThan(0);
  });

  it('reads the new settings as flags, with the same names as the calculator URL', () => {
    const r = cost('--model', 'meta-llama/Llama-2-7b-hf', '--method', 'full-fine-tuning', '--recipe', 'pure-bf16', '--gpus', '8', '--sharding', 'zero3', '--offload', 'optimizer', '--chunked_loss', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { setup: Record<string, unknown>; memory: { cpu: number; optimizerState: number } };
    expect(out.setup).toMatchObject({ recipe: 'pure-bf16', gpus: 8, sharding: 'zero3', offload: 'optimizer', chunkedLoss: true });
    expect(out.memory.optimizerState).toBe(0);
    expect(out.memory.cpu).toBeGreaterThan(0);
  });

  it('counts a model from its config.json exactly as the listed model: Qwen2.5-0.5B, 494,032,768 parameters', () => {
    const r = cost('--config', 'lib/peft/testing/hf-configs/Qwen--Qwen2.5-0.5B.json', '--method', 'lora', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { total: number; trainable: number };
    expect(out.total).toBe(494_032_768);
    // 24 layers × (q: 896×8 + 8×896, v: 896×8 + 8×128)
    expect(out.trainable).toBe(24 * (896 * 8 + 8 * 896 + 896 * 8 + 8 * 128));
  });

  it('prints the HF PEFT snippet that reproduces the count', () => {
    const r = cost('--model', 'meta-llama/Llama-2-7b-hf', '--method', 'lora', '--r', '16', '--json');
    const out = JSON.parse(r.stdout) as { peftSnippet: string };
    expect(out.peftSnippet).toMatch(/LoraConfig\(/);
    expect(out.peftSnippet).toMatch(/r=16/);
  });

  it("takes a hybrid's namespaced flags and reports trained and saved counts: the survey's MAM on T5-Large", () => {
    const r = cost('--model', 't5-large', '--method', 'mam-adapter', '--prefix.tokens', '30', '--prefix.bottleneck', '800', '--adapter.bottleneck', '512', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { trainable: number; saved: number };
    // The authors' experiment code measured 171,069,840 (content/data/survey-v2-experiments.json).
    expect(out.trainable).toBe(171_069_840);
    expect(out.saved).toBeLessThan(out.trainable);
  });

  it.each([
    [['--model', 'nope/model', '--method', 'lora'], /unknown model "nope\/model"/],
    [['--model', 'gpt2', '--method', 'lora', '--r', '0'], /Rank r must be between 1 and 1024/],
    [['--model', 'gpt2', '--method', 'lora', '--targets', 'q_proj'], /no linear map matching "q_proj"/],
    [['--model', 'gpt2', '--method', 'lora', '--targets', 'c_proj'], /"c_proj" is ambiguous in GPT-2 \(124M\): it matches attn\.c_proj, mlp\.c_proj/],
    [['--model', 'gpt2', '--method', 'lora', '--batch', '-1'], /batch size must be a whole number/],
    // A taxonomy method without a file yet, while there is one.
    ...UNBUILT.slice(0, 1).map((m) => [['--model', 'gpt2', '--method', m.id], new RegExp(`${escapeRegExp(m.name)} has no calculator or playground yet`)] as [string[], RegExp]),
    [['--model', 'gpt2', '--method', 'lorra'], /unknown method "lorra"; did you mean lora/],
    [['--model', 'gpt2', '--method', 'lora', '--bottleneck', '8'], /LoRA has no hyperparameter "bottleneck"/],
    [['--model', 'gpt2', '--method', 'lora', 'gpt2'], /unexpected argument "gpt2"/],
    [['gpt2'], /unexpected argument "gpt2"/],
    [['--model', 'gpt2', '--method', 'lora', '-r', '8'], /unexpected argument "-r"; flags start with two dashes \(--r\)/],
    [['--model', 'gpt2', '--method', 'lora', '--r', '8', '--r', '16'], /--r is given twice/],
    [['--model', 'gpt2', '--model', 'gpt2', '--method', 'lora'], /--model is given twice/],
    [['--model', 'gpt2', '--method', 'lora', '--r', '0x10'], /Rank r must be a decimal number, got "0x10"/],
    [['--model', 'gpt2', '--method', 'lora', '--batch', 'Infinity'], /batch size must be a decimal number, got "Infinity"/],
    [['--model', 'gpt2', '--method', 'lora', '--checkpointing=maybe'], /gradient checkpointing must be one of 1, true, yes, on, 0, false, no, off, got "maybe"/],
    [['--model', 'gpt2', '--method', 'lora', '--checkpointing', 'maybe'], /unexpected argument "maybe"/],
    [['--model', 'gpt2', '--method'], /--method needs a value/],
    [['--model', 'gpt2', '--method', 'lora', '--sharding', 'zero4'], /sharding must be one of ddp, zero1, zero2, zero3/],
    [['--model', 'gpt2', '--method', 'lora', '--offload', 'optimizer'], /CPU offload needs a ZeRO stage/],
    [['--model', 'gpt2', '--method', 'lora', '--gpu', 'tpu'], /GPU "tpu" is not in the list/],
    [['--model', 'gpt2', '--config', 'x.json', '--method', 'lora'], /give --model or --config, not both/],
    [['--config', 'does/not/exist.json', '--method', 'lora'], /cannot read "does\/not\/exist.json"/],
    // Cut and escaped (lib/peft/models.ts may already do so in its own way); the test below checks one line.
    [['--model', `${'x'.repeat(100_000)}`, '--method', 'lora'], /unknown model "x{1,80}(…|\.\.\.)"/],
    [['--model', 'gpt3\nerror: forged', '--method', 'lora'], /unknown model "gpt3\\(n|x0a)error: forged"/],
  ])('rejects %j with status 2 and a one-line error', (args, message) => {
    const r = cost(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr.length).toBeLessThan(1100);
  });

  it.each([
    [['--checkpointing', '0'], false],
    [['--checkpointing', 'no'], false],
    [['--checkpointing=OFF'], false],
    [['--checkpointing'], true],
    [['--checkpointing', 'yes'], true],
    [['--checkpointing=1'], true],
  ])('reads %j as the calculator reads checkpointing=…', (flag, on) => {
    const r = cost('--model', 'gpt2', '--method', 'lora', ...flag, '--json');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { setup: { gradientCheckpointing: boolean } }).setup.gradientCheckpointing).toBe(on);
  });
});
