import * as tf from '@tensorflow/tfjs';
import { type Attachment, type BlockPart, BLOCK_PARTS, ROLE_PARTS, SUBLAYER_OUTPUT_PARTS, inBlockOrder, normPart, partsOf } from '../method-api/anatomy';
import type { AppliedMethod, MethodConfig, PeftMethod } from '../method-api/types';
import type { ActivationSite, ModelHooks } from '../model/hooks';
import { createRng } from '../model/random';
import { TASKS, exampleBatch } from '../model/tasks';
import type { ToyModel } from '../model/transformer';
import { calibrationBatches } from '../train/session';
import { Trainer } from '../train/trainer';

/**
 * What a method really does to the toy model, in the block-part vocabulary of its declared
 * anatomy: which parts' own weights it trains, and at which parts its hooks change the forward
 * pass. The method contract compares this with `method.anatomy`, so the block diagram drawn from
 * the declaration cannot drift from the implementation.
 */
export interface AnatomyTrace {
  /** Parts whose base weights are among the trainable variables (after calibration). */
  trained: BlockPart[];
  /** Parts where a hook returned another tensor than it was given, or a prefix. */
  hooked: BlockPart[];
}

const ACTIVATION_PARTS: Record<ActivationSite, BlockPart> = { key: 'attn.k', value: 'attn.v', 'mlp.hidden': 'ffn.hidden' };

/** The block parts a toy weight belongs to (`h.0.q_proj.weight` → attn.q, `ln_f.bias` → final). */
export function toyWeightParts(model: ToyModel, name: string): BlockPart[] {
  const { arch } = model;
  const stack = arch.stacks[0]!;
  if (name === 'wte') return arch.tiedEmbeddings ? ['embedding', 'head'] : ['embedding'];
  if (name === 'wpe') return ['embedding'];
  if (/^ln_f\.(weight|bias)$/.test(name)) return ['final'];
  const leaf = /^h\.\d+\.(\w+)\.(weight|bias)$/.exec(name)?.[1];
  const linear = stack.linears.find((l) => l.name === leaf);
  if (linear) return [...ROLE_PARTS[linear.role]];
  const norm = stack.norms.findIndex((n) => n.name === leaf);
  if (norm >= 0) return [normPart(stack, norm)];
  throw new Error(`no block part is known for the toy weight "${name}"`);
}

/** Traces an applied (and, if it calibrates, calibrated) method over one forward pass. */
export function traceApplied(model: ToyModel, applied: AppliedMethod): AnatomyTrace {
  const trainable = new Set(applied.trainable);
  const trained = [...model.weights].filter(([, v]) => trainable.has(v)).flatMap(([name]) => toyWeightParts(model, name));
  const hooked = new Set<BlockPart>();
  const h = applied.hooks;
  // Returns the hook's output; records `parts` when it is not what the hook was given (null for a prefix).
  const note = <T>(out: T, given: T, parts: readonly BlockPart[]): T => {
    if (out !== given) parts.forEach((p) => hooked.add(p));
    return out;
  };

  const traced: ModelHooks = {};
  if (h.weight) traced.weight = (n, w, c) => note(h.weight!(n, w, c), w, toyWeightParts(model, n));
  if (h.linear) traced.linear = (s, x, base, c) => note(h.linear!(s, x, base, c), base, ROLE_PARTS[s.role]);
  if (h.sublayerOutput) traced.sublayerOutput = (l, s, o, i, c) => note(h.sublayerOutput!(l, s, o, i, c), o, [SUBLAYER_OUTPUT_PARTS[s]]);
  if (h.inputPrefix) traced.inputPrefix = (c) => note(h.inputPrefix!(c), null, ['input']);
  if (h.keyValuePrefix) traced.keyValuePrefix = (l, c) => note(h.keyValuePrefix!(l, c), null, ['attn.kv-prefix']);
  if (h.activation) traced.activation = (l, s, x, c) => note(h.activation!(l, s, x, c), x, [ACTIVATION_PARTS[s]]);
  if (h.finalHidden) traced.finalHidden = (x, c) => note(h.finalHidden!(x, c), x, ['final']);
  if (h.blockOutput) traced.blockOutput = (l, x, c) => note(h.blockOutput!(l, x, c), x, ['block.output']);

  // A class head replaces the LM head.
  if (applied.classifier) hooked.add('head');
  if (h.attentionContext) traced.attentionContext = (l, q, c) => note(h.attentionContext!(l, q, c), null, ['attn.kv-prefix']);

  const rng = createRng(17);
  const task = TASKS[0]!;
  const batch = exampleBatch([task.sample(rng), task.sample(rng)], model.dims.context);
  tf.tidy(() => {
    model.forward(tf.tensor2d(batch.inputs, [batch.size, batch.length], 'int32'), traced, { mode: 'train', step: 0 });
  });
  return { trained: inBlockOrder(trained), hooked: inBlockOrder(hooked) };
}

/** Applies `method` to `model` (calibrating it on task batches when it calibrates), traces it and frees what it made. */
export function traceMethod(method: PeftMethod, model: ToyModel, config: MethodConfig, seed = 0): AnatomyTrace {
  const applied = method.apply(model, config, { seed });
  const calibration = applied.calibrate ? calibrationBatches(TASKS[0]!.id, 0, model.dims.context, 8) : undefined;
  // The trainer runs `calibrate` as training would; no step is taken.
  const trainer = new Trainer(model, applied, { steps: 1, learningRate: 1e-3, ...(calibration ? { calibration } : {}) });
  try {
    return traceApplied(model, applied);
  } finally {
    trainer.dispose();
    applied.dispose();
  }
}

/**
 * Where a declared anatomy and a trace disagree, one sentence each; [] when they agree.
 * Declared `trained` parts must be exactly the traced ones (a part whose weights are chosen from
 * data may be missing from the trace); declared `added` and `changed` parts together must be
 * exactly the parts where hooks act.
 */
export function anatomyMismatches(declared: readonly Attachment[], trace: AnatomyTrace): string[] {
  const problems: string[] = [];
  const list = (parts: readonly BlockPart[]) => parts.join(', ');
  const trainedDeclared = partsOf(declared, ['trained']);
  const required = inBlockOrder(declared.filter((a) => a.kind === 'trained' && !a.chosenFromData).map((a) => a.part));
  const untraced = required.filter((p) => !trace.trained.includes(p));
  const undeclared = trace.trained.filter((p) => !trainedDeclared.includes(p));
  if (untraced.length > 0) problems.push(`declared as trained, but none of their weights is trainable: ${list(untraced)}`);
  if (undeclared.length > 0) problems.push(`trains weights of parts it does not declare as trained: ${list(undeclared)}`);

  const hookedDeclared = partsOf(declared, ['added', 'changed']);
  const idle = hookedDeclared.filter((p) => !trace.hooked.includes(p));
  const hidden = trace.hooked.filter((p) => !hookedDeclared.includes(p));
  if (idle.length > 0) problems.push(`declared as added or changed, but no hook changes them: ${list(idle)}`);
  if (hidden.length > 0) problems.push(`hooks change parts it does not declare as added or changed: ${list(hidden)}`);

  const known = new Set<string>(BLOCK_PARTS);
  for (const a of declared) if (!known.has(a.part)) problems.push(`declares an unknown block part "${a.part}"`);
  return problems;
}
