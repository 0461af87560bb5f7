'use client';

import { useEffect, useState } from 'react';
import type { ModelInfo } from '@/lib/peft/models';

type HfConfigModule = typeof import('@/lib/peft/hf-config');
let reader: Promise<HfConfigModule> | null = null;

/** lib/peft/hf-config.ts, loaded the first time a config.json is pasted or a link carries one:
 * most visits never need the parser, so it stays out of the page's first load. */
export function loadHfConfig(): Promise<HfConfigModule> {
  reader ??= import('@/lib/peft/hf-config').catch((err: unknown) => {
    reader = null; // a failed chunk load may succeed on the next try
    throw err;
  });
  return reader;
}

export type CustomModel = { state: 'none' } | { state: 'loading' } | { state: 'ready'; model: ModelInfo } | { state: 'error'; error: string };

/** The model a query's `arch` text stands for (see CalculatorQuery.arch). */
export function useCustomModel(arch: string): CustomModel {
  const [decoded, setDecoded] = useState<{ arch: string; result: { model: ModelInfo } | { error: string } } | null>(null);
  useEffect(() => {
    if (arch === '') return;
    let live = true;
    loadHfConfig().then(
      (m) => live && setDecoded({ arch, result: m.decodeArchitectureParam(arch) }),
      () => live && setDecoded({ arch, result: { error: 'the config.json reader could not be loaded; reload the page to try again' } }),
    );
    return () => {
      live = false;
    };
  }, [arch]);
  if (arch === '') return { state: 'none' };
  if (decoded === null || decoded.arch !== arch) return { state: 'loading' };
  return 'model' in decoded.result ? { state: 'ready', model: decoded.result.model } : { state: 'error', error: decoded.result.error };
}
