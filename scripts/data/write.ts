import { renameSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { parseContent } from '@/lib/content/validate';

/** Write via a temporary file and a rename, so a reader (or a killed run) never sees half a file. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Validate `data` against `schema` (a bad record stops the script naming the file and field), then
 * write it as JSON, with `arrayKey`'s records one per line (a diff shows which changed, the file
 * stays small), and the CSV beside it. Returns the JSON's size in bytes.
 */
export function writeDataset<S extends z.ZodType>(schema: S, data: unknown, jsonPath: string, toCsv: (valid: z.output<S>) => string, arrayKey: string): number {
  const valid = parseContent(schema, data, jsonPath);
  const { [arrayKey]: records, ...head } = valid as Record<string, unknown>;
  if (!Array.isArray(records)) throw new Error(`${jsonPath}: "${arrayKey}" is not an array`);
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  const body = records.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
  const text = `${headText},\n  "${arrayKey}": [\n${body}\n  ]\n}\n`;
  // The text must read back as the validated data.
  if (JSON.stringify(JSON.parse(text)) !== JSON.stringify({ ...head, [arrayKey]: records })) throw new Error(`${jsonPath}: formatting changed the data`);
  writeAtomic(jsonPath, text);
  writeAtomic(jsonPath.replace(/\.json$/, '.csv'), toCsv(valid));
  return Buffer.byteLength(text);
}
