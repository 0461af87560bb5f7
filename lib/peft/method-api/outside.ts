import type { Architecture } from '../arch';

/**
 * The modules outside the blocks that a `modules` hyperparameter may name besides the blocks'
 * linear maps, by the names the model's HF implementation gives them (`arch.moduleNames`): the
 * token embedding (`embed_tokens`, `wte`, `shared`) and the LM head (`lm_head`). The toy has no
 * names, so on it only the blocks' maps can be targeted.
 */
export type OutsideModule = 'embedding' | 'lmHead';

export const OUTSIDE_WORDS: Record<OutsideModule, string> = { embedding: 'the token embedding', lmHead: 'the LM head' };

/** Which outside module `target` names on `arch`, matched as HF PEFT matches a list entry (the
 * module's name equals it or ends with `.` + it). */
export function outsideModuleOf(arch: Architecture, target: string): OutsideModule | null {
  const names = arch.moduleNames;
  if (!names) return null;
  const matches = (name: string) => name === target || name.endsWith(`.${target}`);
  if (matches(names.embedding)) return 'embedding';
  if (matches(names.lmHead)) return 'lmHead';
  return null;
}

/** Whether `targets` include the module `which`. */
export function targetsOutside(arch: Architecture, targets: readonly string[], which: OutsideModule): boolean {
  return targets.some((t) => outsideModuleOf(arch, t) === which);
}
