import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type GuideInput, rankMethods } from '@/lib/peft/guide';
import { findModel } from '@/lib/peft/models';
import { Guide } from './Guide';
import { GuideRanking } from './GuideRanking';

const input: GuideInput = { model: findModel('meta-llama/Llama-2-7b-hf'), memoryGiB: 24, tasks: 10, latency: true, batchSize: 8, sequenceLength: 512 };
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, '&');

describe('GuideRanking', () => {
  it('renders the first recommendations with their reasons and numbers, links, and the lists that do not fit', () => {
    const answer = rankMethods(input, { lora: [{ task: 'topic', mean: 0.85, std: 0.03, n: 3 }] });
    const html = renderToStaticMarkup(createElement(GuideRanking, { answer, input, pending: false }));
    const words = text(html);
    expect(words).toContain('For Llama 2 7B, 24.0 GiB of GPU memory, 10 tasks, latency matters, batch 8 × 512 tokens.');
    expect(html.match(/data-testid="guide-rec"/g)).toHaveLength(answer.ranked.length);
    const first = answer.ranked[0]!;
    expect(words).toContain(`First: ${first.name}, ${first.score} of 100 points.`);
    expect(html).toContain(`href="${first.methodHref}"`);
    expect(html).toContain(`href="${first.calculatorHref.replace(/&/g, '&amp;')}"`);
    expect(words).toMatch(/Needs 18\.1 GiB of 24\.0 GiB \(75%\): fits only with gradient checkpointing/);
    expect(words).toContain('topic 0.85 ± 0.03 (3 seeds)');
    expect(words).toContain('Lialin et al. 2023, §14');
    expect(html).toContain('href="https://arxiv.org/abs/2303.15647v1"');
    expect(words).toMatch(/Full fine-tuning\s*needs at least 114\.7 GiB/);
    expect(words).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('renders an explicit empty answer with the smallest need when nothing fits', () => {
    const small = { ...input, memoryGiB: 2 };
    const html = renderToStaticMarkup(createElement(GuideRanking, { answer: rankMethods(small), input: small, pending: false }));
    const words = text(html);
    expect(words).toContain('No implemented method fits in 2.0 GiB');
    expect(words).toMatch(/The smallest need is Attention Fusion: 7\.4 GiB \(with 4-bit NF4 base weights/);
    expect(html).not.toContain('data-testid="guide-rec"');
  });
});

describe('Guide', () => {
  it('prerenders the default question (Llama 2 7B, 24 GiB, one task) with labelled fields and an answer', () => {
    const html = renderToStaticMarkup(createElement(Guide, { toy: {} }));
    expect(html).toContain('GPU memory (GiB)');
    expect(html).toContain('Tasks served');
    expect(html).toContain('Does inference latency matter?');
    expect(html).toContain('data-testid="guide-answer"');
    expect(text(html)).not.toMatch(/NaN|Infinity/);
  });
});
