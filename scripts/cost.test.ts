import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
    const { total, ...parts } = out.memory;
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBe(total);
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
    [['--model', 'gpt2', '--method', 'dora', '--r', '8'], /DoRA has no calculator or playground yet/],
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
