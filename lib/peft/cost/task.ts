import { type Architecture, linearParams, matchingLinears, totalParams } from '../arch';
import { quoteValue } from '../input';
import type { TensorGroup } from '../method-api/profile';
import { classificationHead } from '../task-head';
import type { TrainingSetup } from './setup';

/**
 * The model a setup actually trains: the architecture with a resized vocabulary, the task's output
 * (logits over the vocabulary, or a classification head in place of the LM head) and the modules
 * trained in full besides the method (HF PEFT's `modules_to_save`; for classification the head is
 * added to it automatically, as PEFT does for `task_type="SEQ_CLS"`).
 */
export interface TaskModel {
  arch: Architecture;
  /** Parameters of the model for this task, before the method adds any. */
  total: number;
  /** Tensors trained and saved in full besides the method's own. */
  extraTrainable: TensorGroup[];
  /** Of `extraTrainable`, the scalars that are new (a classification head) rather than trainable
   * copies of base modules (PEFT keeps the original beside the copy). */
  newParams: number;
  /** Output values per sequence token that the loss reads: the vocabulary for language modelling, 0
   * for classification (one row of `numLabels` per sequence). */
  logitsPerToken: number;
}

export function taskModel(base: Architecture, setup: Pick<TrainingSetup, 'task' | 'numLabels' | 'modulesToSave' | 'vocabSize'>): TaskModel {
  const resized = setup.vocabSize === null || setup.vocabSize === base.vocabSize ? base : { ...base, vocabSize: setup.vocabSize };
  // A *ForSequenceClassification model has no LM head: counted here as if it were tied to the
  // embedding, which removes it and nothing else.
  const arch = setup.task === 'classification' ? { ...resized, tiedEmbeddings: true, lmHeadBias: false } : resized;
  const extraTrainable: TensorGroup[] = [];
  let total = totalParams(arch);
  let newParams = 0;
  let classifier: string | null = null;
  if (setup.task === 'classification') {
    const head = classificationHead(resized, setup.numLabels);
    total += head.params - head.poolerParamsDropped;
    extraTrainable.push({ shape: [head.params], count: 1 });
    newParams = head.params;
    classifier = head.module;
  }
  const width = arch.embeddingSize ?? arch.hiddenSize;
  for (const name of new Set(setup.modulesToSave)) {
    if (name === classifier) continue;
    const names = arch.moduleNames;
    if (names && (name === names.embedding || name === names.lmHead)) {
      extraTrainable.push({ shape: [arch.vocabSize, width], count: 1 });
      continue;
    }
    const groups = arch.stacks.flatMap((s) => matchingLinears(s, [name]).map((l) => ({ shape: [linearParams(l)], count: s.layers })));
    if (groups.length === 0) {
      const known = names ? [names.embedding, names.lmHead, ...(setup.task === 'classification' ? [names.classifier] : [])] : [];
      const hint = names?.classifier === name ? ' (the classification head exists only for the classification task)' : '';
      throw new RangeError(`modules to save: ${quoteValue(name)} names no module of ${arch.name}${hint}; use ${[...known, 'a linear map’s name'].join(', ')}`);
    }
    extraTrainable.push(...groups);
  }
  return { arch, total, extraTrainable, newParams, logitsPerToken: setup.task === 'lm' ? arch.vocabSize : 0 };
}
