import { describe, expect, it } from 'vitest';
import { totalParams } from '../arch';
import { findModel } from '../models';
import { methodContract } from '../testing/contract';
import { surveyCounts } from '../testing/survey';
import { fullFineTuning } from './full-fine-tuning';

methodContract(fullFineTuning);

describe('Full fine-tuning on real models', () => {
  it.each(surveyCounts('full_tuning'))("trains every parameter: the survey's count on %s, %i", (model, count) => {
    const arch = findModel(model).arch;
    expect(fullFineTuning.trainableParams(arch, {})).toBe(count);
    expect(totalParams(arch)).toBe(count);
  });
});
