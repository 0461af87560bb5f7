/** CSV (RFC 4180) for the datasets' download files: one header line, then one line per record. */

export type CsvValue = string | number | boolean | null | undefined;

/** A field quoted when it holds a comma, quote or line break; null and undefined are empty. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text of `rows` under `columns` (each column: its header and how to read a row). */
export function toCsv<R>(columns: readonly (readonly [header: string, read: (row: R) => CsvValue])[], rows: readonly R[]): string {
  const lines = [columns.map(([h]) => csvField(h)).join(',')];
  for (const row of rows) lines.push(columns.map(([, read]) => csvField(read(row))).join(','));
  return `${lines.join('\n')}\n`;
}
