import { describe, expect, it } from 'vitest';
import raw from '@/content/data/models.json';
import { MODEL_CHOICES, MODELS } from './models';
import { parseModelChoices, parseModels } from './models-schema';

describe('models.json read without zod', () => {
  // The browser reads models.json without validating it; the build validates it with this
  // schema. The two reads must agree, or the calculators would count over unchecked data.
  it('equals the validated read, model by model', () => {
    const validated = parseModels(raw);
    expect(MODELS.map((m) => m.id)).toEqual(validated.map((m) => m.id));
    expect(MODELS).toEqual(validated);
  });

  it('equals the validated read with the chat/instruct variants too', () => {
    expect(MODEL_CHOICES).toEqual(parseModelChoices(raw));
  });
});
