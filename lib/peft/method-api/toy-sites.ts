import { matchingLinears } from '../arch';
import type { ToyModel } from '../model/transformer';

/** One targeted linear map of the toy model in one layer. */
export interface ToySite {
  layer: number;
  /** Leaf name, as in the weight names (`h.0.q_proj.weight`). */
  name: string;
  path: string;
  /** `${layer}.${name}`: what the `linear` hook's site resolves to. */
  key: string;
  weightName: string;
  inFeatures: number;
  outFeatures: number;
}

export const siteKey = (layer: number, name: string): string => `${layer}.${name}`;

/** The toy's linear maps that `targets` select (matched as on real models), in every layer. */
export function toyTargetSites(model: ToyModel, targets: readonly string[]): ToySite[] {
  const stack = model.arch.stacks[0];
  if (!stack) throw new Error('the toy architecture has one stack');
  const maps = matchingLinears(stack, targets);
  const sites: ToySite[] = [];
  for (let layer = 0; layer < model.dims.layers; layer++) {
    for (const l of maps) {
      sites.push({
        layer,
        name: l.name,
        path: l.path,
        key: siteKey(layer, l.name),
        weightName: `h.${layer}.${l.name}.weight`,
        inFeatures: l.inFeatures,
        outFeatures: l.outFeatures,
      });
    }
  }
  return sites;
}
