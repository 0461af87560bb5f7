/**
 * Python values for the HF PEFT snippets (`lib/peft/export.ts`): plain data rendered as Python
 * literals, and `PythonCode` for the few expressions that are not literals (`torch.bfloat16`).
 */

/** A Python expression written as is, e.g. `torch.bfloat16`. */
export class PythonCode {
  constructor(readonly code: string) {}
}

export type PythonValue = string | number | boolean | null | PythonCode | readonly PythonValue[] | { readonly [key: string]: PythonValue };

export const pythonCode = (code: string): PythonCode => new PythonCode(code);

/** A string as a Python literal: double quotes, backslashes, quotes and control characters
 * escaped (`\n`, `\x07`, `\u2028`), other characters as they are (Python 3 source is UTF-8). */
export function pythonString(s: string): string {
  const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const escaped = s.replace(/[\\"\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (named[c]) return named[c];
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** A number as Python writes it: integers without a point, others as JavaScript's shortest
 * round-trip form (which Python reads back to the same float); no NaN or infinities. */
export function pythonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} has no Python literal`);
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return Object.is(n, -0) ? '0' : String(n);
  return String(n).replace('e+', 'e');
}

/** Any value as a Python literal. */
export function pythonLiteral(v: PythonValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pythonString(v);
  if (typeof v === 'number') return pythonNumber(v);
  if (v instanceof PythonCode) return v.code;
  if (Array.isArray(v)) return `[${(v as readonly PythonValue[]).map(pythonLiteral).join(', ')}]`;
  const entries = Object.entries(v as Record<string, PythonValue>);
  return `{${entries.map(([k, x]) => `${pythonString(k)}: ${pythonLiteral(x)}`).join(', ')}}`;
}
