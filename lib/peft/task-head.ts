import type { Architecture } from './arch';

/**
 * The sequence-classification head of a family's *ForSequenceClassification model, against the
 * base model as content/data/models.json counts it (the LM class for decoders and
 * encoder–decoders, AutoModel with its pooler for BERT and RoBERTa, DebertaV2Model without one).
 */
export interface ClassificationHead {
  /** The head's module name, for `modules_to_save`. */
  module: string;
  /** Parameters of the head that the counted base model lacks. */
  params: number;
  /** The counted base model's untied LM head, which the classification model does not have (0 when tied). */
  lmHeadParamsDropped: number;
  /** The counted base model's pooler, which the classification model does not have (RoBERTa's). */
  poolerParamsDropped: number;
  /** What the classification model lacks of the base besides the LM head: the pooler (for
   * callers that drop the LM head themselves by counting it as tied). */
  removedParams: number;
}

/** Families whose classification head is a dense h×h layer then an output layer, both with bias
 * (RobertaClassificationHead, T5ClassificationHead). */
const DENSE_THEN_OUT = new Set(['roberta', 't5', 'flan-t5', 'mt0', 'umt5']);

export function classificationHead(arch: Architecture, numLabels: number): ClassificationHead {
  const head = headOf(arch, numLabels);
  return { ...head, removedParams: head.poolerParamsDropped };
}

function headOf(arch: Architecture, numLabels: number): Omit<ClassificationHead, 'removedParams'> {
  if (!Number.isInteger(numLabels) || numLabels < 1) throw new RangeError(`numLabels must be a positive whole number, not ${numLabels}`);
  const h = arch.hiddenSize;
  const module = arch.moduleNames?.classifier ?? 'score';
  const untiedHead = arch.tiedEmbeddings ? 0 : arch.vocabSize * (arch.embeddingSize ?? h) + (arch.lmHeadBias ? arch.vocabSize : 0);
  const pooler = arch.extraParams.find((e) => e.name === 'pooler.dense')?.count ?? 0;
  if (arch.family === 'bert') {
    // BertForSequenceClassification keeps BertModel's pooler and adds a Linear(h, labels) with bias.
    return { module, params: h * numLabels + numLabels, lmHeadParamsDropped: 0, poolerParamsDropped: 0 };
  }
  if (DENSE_THEN_OUT.has(arch.family)) {
    // RoBERTa: RobertaModel(add_pooling_layer=False) under `classifier` (dense, out_proj). T5:
    // T5Model (no lm_head) under `classification_head`.
    return { module, params: h * h + h + h * numLabels + numLabels, lmHeadParamsDropped: untiedHead, poolerParamsDropped: pooler };
  }
  if (arch.family === 'deberta-v2') {
    // DebertaV2ForSequenceClassification: ContextPooler (`pooler.dense`, h×h with bias) and a
    // Linear(h, labels) with bias; modules_to_save needs both `pooler` and `classifier`.
    return { module, params: h * h + h + h * numLabels + numLabels, lmHeadParamsDropped: 0, poolerParamsDropped: 0 };
  }
  // Decoders: `score`, a Linear(hidden, labels) without bias, in place of the LM head. OPT's reads
  // the projected width (word_embed_proj_dim).
  const width = arch.family === 'opt' ? (arch.embeddingSize ?? h) : h;
  return { module, params: width * numLabels, lmHeadParamsDropped: untiedHead, poolerParamsDropped: 0 };
}

/** The classification model's total: the counted base, less what it drops, plus the head. */
export function classificationTotal(arch: Architecture, baseTotal: number, numLabels: number): number {
  const head = classificationHead(arch, numLabels);
  return baseTotal - head.lmHeadParamsDropped - head.poolerParamsDropped + head.params;
}
