'use client';

import { useState } from 'react';
import { formatCount } from '@/components/format';
import { cleanMessage } from '@/lib/peft/input';
import { INPUT } from './SetupFields';
import { type CustomModel, loadHfConfig } from './custom-model';

/** Larger than any config.json (a few KB); a bigger file is a checkpoint or a tokenizer dropped by mistake. */
const MAX_FILE_BYTES = 1_000_000;

/**
 * "Use your own model": a Hugging Face config.json pasted, dropped or chosen as a file is read by
 * lib/peft/hf-config.ts; a readable one becomes the query's `arch` (so a shared link carries it),
 * an unreadable one gets the parser's sentence, which names the field.
 */
export function ConfigPaste({ custom, onModel, idPrefix }: { custom: CustomModel; onModel: (arch: string, id: string) => void; idPrefix: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const errorId = `${idPrefix}-config-error`;
  const helpId = `${idPrefix}-config-help`;
  const shownError = error ?? (custom.state === 'error' ? cleanMessage(custom.error) : null);

  const read = async (raw: string) => {
    setText(raw);
    if (raw.trim() === '') {
      setError(null);
      return;
    }
    try {
      const hf = await loadHfConfig();
      const parsed = hf.parseHfConfigText(raw);
      if ('error' in parsed) {
        setError(cleanMessage(parsed.error));
        return;
      }
      setError(null);
      onModel(hf.encodeArchitectureParam(parsed.model), parsed.model.id);
    } catch (err) {
      setError(cleanMessage(err instanceof Error ? err.message : String(err)));
    }
  };
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setError(`${file.name} is larger than 1 MB; a config.json is a few KB`);
      return;
    }
    await read(await file.text());
  };

  return (
    <details data-testid={`${idPrefix}-own-model`} open={custom.state !== 'none' || text !== '' || undefined} className="col-span-full text-sm">
      <summary className="cursor-pointer font-medium">Use your own model: paste or drop config.json</summary>
      <div
        className={`mt-2 flex flex-col gap-2 rounded-lg border-2 border-dashed p-3 ${dragging ? 'border-blue-500' : 'border-slate-300 dark:border-slate-600'}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void readFile(e.dataTransfer.files[0]);
        }}
      >
        <label className="flex min-w-0 flex-col gap-1">
          <span className="font-medium">config.json</span>
          <textarea
            data-testid={`${idPrefix}-config`}
            rows={5}
            spellCheck={false}
            className={`${INPUT} font-mono text-xs`}
            placeholder='{"model_type": "llama", "hidden_size": 4096, …}'
            aria-describedby={shownError ? `${helpId} ${errorId}` : helpId}
            aria-invalid={shownError !== null || undefined}
            value={text}
            onChange={(e) => void read(e.target.value)}
          />
        </label>
        <span id={helpId} className="text-xs text-slate-600 dark:text-slate-400">
          The model’s config.json from the Hugging Face Hub (Files tab). It is read in your browser; the link keeps only the sizes it needs.
        </span>
        <label className="flex min-w-0 flex-wrap items-center gap-2 text-xs">
          <span>Or choose the file:</span>
          <input data-testid={`${idPrefix}-config-file`} type="file" accept=".json,application/json" className="min-w-0 text-xs" onChange={(e) => void readFile(e.target.files?.[0])} />
        </label>
        {shownError !== null && (
          <p role="alert" id={errorId} data-testid={`${idPrefix}-config-error`} className="font-medium text-red-700 dark:text-red-400">
            {shownError}
          </p>
        )}
        {custom.state === 'ready' && error === null && (
          <p data-testid={`${idPrefix}-config-model`}>
            Using <span className="font-mono">{custom.model.id}</span>: {formatCount(custom.model.publishedTotal)} parameters, counted from the config.{' '}
            <button
              type="button"
              className="underline"
              onClick={() => {
                setText('');
                onModel('', custom.model.id);
              }}
            >
              Use a listed model instead
            </button>
          </p>
        )}
      </div>
    </details>
  );
}
