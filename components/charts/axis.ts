/**
 * Shared geometry for the bar charts. They draw in an SVG without a viewBox, so one user unit is
 * one CSS pixel: text keeps its font size on any screen, and horizontal positions are percentages
 * of the chart's width (no measuring, the same markup on the server and in the browser).
 */

/** Font sizes in CSS pixels: legible at 375 px (the e2e tests ask for at least 10). */
export const LABEL_SIZE = 13;
export const TICK_SIZE = 12;

export const pct = (share: number) => `${share.toFixed(3)}%`;

/** Anchors a tick label so that the ones at either end stay inside the chart. */
export function tickAnchor(position: number): 'start' | 'middle' | 'end' {
  if (position < 6) return 'start';
  if (position > 94) return 'end';
  return 'middle';
}

/** A tick is a round number: "50 GB" and "1 M", not the "50.0 GB" and "1.00 M" a value formatter writes. */
export function tickLabel(format: (v: number) => string, value: number): string {
  return format(value).replace(/(\d)\.(\d*?)0+(?=\D|$)/, (_, whole: string, decimals: string) => (decimals ? `${whole}.${decimals}` : whole));
}
