import { adapters } from './methods/adapters';
import { bitfit } from './methods/bitfit';
import { fullFineTuning } from './methods/full-fine-tuning';
import { lora } from './methods/lora';
import { promptTuning } from './methods/prompt-tuning';
import type { PeftMethod } from './methods/types';

/** Every implemented method, by taxonomy id: the one list the site, the CLI and the toy iterate. */
export const METHODS: readonly PeftMethod[] = [fullFineTuning, lora, adapters, promptTuning, bitfit];

export function findPeftMethod(id: string): PeftMethod {
  const method = METHODS.find((m) => m.id === id);
  if (!method) throw new RangeError(`no implemented method "${id}" (implemented: ${METHODS.map((m) => m.id).join(', ')})`);
  return method;
}

export function isImplemented(id: string): boolean {
  return METHODS.some((m) => m.id === id);
}
