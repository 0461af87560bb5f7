/**
 * The h2 that an embedded component renders at the top of its box, so a page's table of contents
 * can link to it like any heading. The components take their ids from here (no other imports:
 * client components read this file).
 */
export const EMBED_HEADINGS = {
  Playground: { id: 'try-it', text: 'Try it in your browser' },
  Calculator: { id: 'calculator-heading', text: 'Parameters and memory on a real model' },
} as const satisfies Record<string, { id: string; text: string }>;

/**
 * The h2 of a box a page renders right after an embedded component, listed after that component's
 * own heading: components/mdx/components.tsx maps <Calculator> to the calculator followed by the
 * method's measured results (components/methods/MeasuredResults.tsx).
 */
export const EMBED_FOLLOWING_HEADINGS = {
  Calculator: [{ id: 'measured-heading', text: 'Measured results' }],
} as const satisfies Partial<Record<keyof typeof EMBED_HEADINGS, readonly { id: string; text: string }[]>>;
