import { describe, expect, it } from 'vitest';
import { findModel } from './models';
import { classificationHead, classificationTotal } from './task-head';

describe('classificationHead', () => {
  it("reproduces BertForSequenceClassification's printed total: bert-base-uncased with 2 labels has 109,483,778 parameters", () => {
    const bert = findModel('bert-base-uncased');
    expect(classificationHead(bert.arch, 2)).toEqual({ module: 'classifier', params: 768 * 2 + 2, lmHeadParamsDropped: 0, poolerParamsDropped: 0, removedParams: 0 });
    expect(classificationTotal(bert.arch, bert.publishedTotal, 2)).toBe(109_483_778);
  });

  // *ForSequenceClassification with 3 labels, counted by HF transformers 5.18 from the fixtures'
  // configs (lib/peft/testing/hf-configs, model built on the meta device).
  const cases: [string, number][] = [
    ['bert-base-uncased', 109_484_547],
    ['roberta-base', 124_647_939],
    ['t5-small', 60_770_819],
    ['google/flan-t5-small', 60_775_811],
    ['bigscience/mt0-small', 172_383_619],
    ['microsoft/deberta-v3-base', 184_424_451],
    ['facebook/opt-350m', 331_197_952],
    ['gpt2', 124_442_112],
    ['meta-llama/Llama-2-7b-hf', 6_607_355_904],
    ['Qwen/Qwen3-0.6B', 596_052_992],
  ];
  it.each(cases)('%s with 3 labels: %d parameters', (id, total) => {
    const m = findModel(id);
    expect(classificationTotal(m.arch, m.publishedTotal, 3)).toBe(total);
  });

  it('says what the classification model drops: an untied LM head, RoBERTa’s pooler', () => {
    expect(classificationHead(findModel('meta-llama/Llama-2-7b-hf').arch, 2)).toMatchObject({ module: 'score', params: 4096 * 2, lmHeadParamsDropped: 32000 * 4096 });
    expect(classificationHead(findModel('Qwen/Qwen2.5-0.5B').arch, 2).lmHeadParamsDropped).toBe(0);
    expect(classificationHead(findModel('roberta-base').arch, 2)).toMatchObject({ module: 'classifier', poolerParamsDropped: 768 * 768 + 768, removedParams: 768 * 768 + 768 });
    expect(classificationHead(findModel('google/flan-t5-small').arch, 2)).toMatchObject({ module: 'classification_head', lmHeadParamsDropped: 32128 * 512 });
    expect(() => classificationHead(findModel('gpt2').arch, 0)).toThrow(RangeError);
  });
});
