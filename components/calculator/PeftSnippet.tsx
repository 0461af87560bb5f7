'use client';

import { useMemo, useRef, useState } from 'react';
import type { Estimate } from '@/lib/peft/estimate';
import { peftSnippet } from '@/lib/peft/export';

/** The Clipboard API where the page may use it; else the code is selected and the old copy command tried. */
async function copyCode(text: string, code: HTMLElement | null): Promise<'copied' | 'selected'> {
  try {
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    // No clipboard permission or no secure context: fall through.
  }
  if (code) {
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    try {
      if (document.execCommand('copy')) return 'copied';
    } catch {
      // The selection stays, so the reader can copy it by hand.
    }
  }
  return 'selected';
}

/** "Reproduce with HF PEFT": the Python that builds this method and setup in HF PEFT; nothing for a method HF PEFT lacks. */
export function PeftSnippet({ estimate, idPrefix }: { estimate: Estimate; idPrefix: string }) {
  const code = useMemo(() => peftSnippet({ id: estimate.model.id, arch: estimate.model.arch }, estimate.method, estimate.config, estimate.setup), [estimate]);
  const codeRef = useRef<HTMLElement>(null);
  const [status, setStatus] = useState<{ code: string; word: 'copied' | 'selected' } | null>(null);
  if (code === null) return null;
  const word = status?.code === code ? status.word : null;
  return (
    <details data-testid={`${idPrefix}-peft-snippet`} className="mt-4">
      <summary className="cursor-pointer font-medium">Reproduce with HF PEFT</summary>
      <p className="mt-2 text-slate-600 dark:text-slate-400">
        Python that builds the same setup with Hugging Face PEFT; <code>print_trainable_parameters()</code> prints the counts to compare with the ones above.
      </p>
      <div className="mt-2 flex items-center gap-3">
        <button
          type="button"
          data-testid={`${idPrefix}-peft-copy`}
          className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
          onClick={() => void copyCode(code, codeRef.current).then((w) => setStatus({ code, word: w }))}
        >
          Copy code
        </button>
        <span aria-live="polite" className="text-xs text-slate-600 dark:text-slate-400">
          {word === 'copied' ? 'Copied.' : word === 'selected' ? 'Selected: press Ctrl+C (⌘C on a Mac) to copy.' : ''}
        </span>
      </div>
      <pre tabIndex={0} aria-label="HF PEFT Python code" className="mt-2 overflow-x-auto rounded-lg bg-slate-100 p-3 text-xs dark:bg-slate-900">
        <code ref={codeRef} data-testid={`${idPrefix}-peft-code`}>
          {code}
        </code>
      </pre>
    </details>
  );
}
