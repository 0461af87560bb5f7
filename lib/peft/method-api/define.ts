import { profileSaved, profileTrainable } from './profile';
import type { ConfigOf, HyperParam, MethodConfig, MethodDefinition, PeftMethod } from './types';

/**
 * Declares a method. Its hyperparameters are given once and type its config (`config.r` is a
 * number), and its parameter counts are derived from its profile, so no method writes the same
 * sum twice.
 */
export function defineMethod<const H extends readonly HyperParam[]>(
  definition: MethodDefinition<ConfigOf<H>> & { hyperparams: H },
): PeftMethod<ConfigOf<H>> {
  return withCounts(definition);
}

/** A method definition with its counts derived from its profile (also for `compose`). */
export function withCounts<C extends MethodConfig>(definition: MethodDefinition<C>): PeftMethod<C> {
  return {
    ...definition,
    trainableParams: (arch, config) => profileTrainable(definition.profile(arch, config)),
    savedParams: (arch, config) => profileSaved(definition.profile(arch, config)),
  };
}
