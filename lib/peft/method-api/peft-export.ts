import { type Architecture, linearMatches } from '../arch';
import { outsideModuleOf } from './outside';

/**
 * Target names as an HF PEFT `target_modules` list holds them: a block path is shortened to its
 * leaf name (`self_attn.q_proj` → `q_proj`) when the leaf selects exactly the same maps, and kept
 * as a dotted suffix otherwise (GPT-2's `mlp.c_proj`); HF PEFT matches a list entry against the end
 * of each module's full name, so both forms select what they select here. The embedding and the
 * LM head keep the name given.
 */
export function peftTargetModules(arch: Architecture, targets: readonly string[]): string[] {
  const linears = arch.stacks.flatMap((s) => s.linears);
  const selected = (t: string) => linears.filter((l) => linearMatches(l, t));
  const names = targets.map((t) => {
    if (outsideModuleOf(arch, t) || !t.includes('.')) return t;
    const leaf = t.slice(t.lastIndexOf('.') + 1);
    const [byPath, byLeaf] = [selected(t), selected(leaf)];
    return byLeaf.length === byPath.length && byLeaf.every((l) => byPath.includes(l)) ? leaf : t;
  });
  return [...new Set(names)];
}
