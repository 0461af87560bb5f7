/** Small helpers shared by the command-line scripts. */

/** `--name value` flags; numbers parsed, anything else kept as text. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(arg.slice(2), 'true');
    else {
      flags.set(arg.slice(2), next);
      i++;
    }
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
