/** Small helpers shared by the command-line scripts. */
import { isBooleanText, quoteValue } from '@/lib/peft/input';

/** A mistake in the command line: scripts print its message on one line and exit with status 2. */
export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}

/** `--name value`, `--name=value`, and bare `booleans` flags (`--json`, or with a yes/no word:
 * `--checkpointing 0`); a stray word, a flag without its value or a repeated flag is a UsageError
 * rather than silently dropped or overwritten. */
export function parseFlags(argv: readonly string[], booleans: ReadonlySet<string> = new Set()): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg.length === 2) {
      const hint = /^-[^-]/.test(arg) ? `; flags start with two dashes (--${arg.slice(1)})` : '; every setting is a flag (--name value)';
      fail(`unexpected argument ${quoteValue(arg)}${hint}`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (flags.has(name)) fail(`--${quoteValue(name).slice(1, -1)} is given twice`);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      const takesNext = next !== undefined && !next.startsWith('--') && (!booleans.has(name) || isBooleanText(next));
      if (takesNext) {
        value = next;
        i++;
      } else if (booleans.has(name)) value = 'true';
      else fail(`--${quoteValue(name).slice(1, -1)} needs a value`);
    }
    flags.set(name, value);
  }
  return flags;
}

export function numberFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return v;
}

/** A one-line progress bar that rewrites itself on a terminal and prints every 10% otherwise. */
export function progress(label: string, total: number): (done: number, extra?: string) => void {
  let lastDecile = -1;
  return (done, extra = '') => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${extra}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === total ? '\n' : ''}`);
    else {
      const decile = Math.floor((done / total) * 10);
      if (decile !== lastDecile) console.log(line);
      lastDecile = decile;
    }
  };
}
