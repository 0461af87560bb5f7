import type { Attachment } from '@/lib/peft/method-api/anatomy';
import { resolveConfig } from '@/lib/peft/method-api/config';
import type { PeftMethod } from '@/lib/peft/method-api/types';
import { toyArchitecture } from '@/lib/peft/model/toy-arch';

/**
 * Where a method attaches with its default settings, read from its own `anatomy` on the toy
 * architecture (a pre-norm decoder like the one the diagram draws), so the diagram cannot
 * disagree with the implementation. Null when the method does not declare it.
 */
export function defaultAnatomy(method: PeftMethod): Attachment[] | null {
  if (!method.anatomy) return null;
  const arch = toyArchitecture();
  return method.anatomy(arch, resolveConfig(method, arch));
}
