/**
 * The h2 that an embedded component renders at the top of its box, so a page's table of contents
 * can link to it like any heading. The components take their ids from here (no other imports:
 * client components read this file).
 */
export const EMBED_HEADINGS = {
  Playground: { id: 'try-it', text: 'Try it in your browser' },
  Calculator: { id: 'calculator-heading', text: 'Parameters and memory on a real model' },
} as const satisfies Record<string, { id: string; text: string }>;
