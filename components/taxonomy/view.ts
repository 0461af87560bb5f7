/** The map's starting view: pure arithmetic, so it applies before the zoom code has loaded. */

/** A zoom transform: scale k, then translate by (x, y), in drawing units (as d3-zoom's). */
export interface View {
  k: number;
  x: number;
  y: number;
}

/**
 * The whole drawing when its labels are at least `minLabelPx` CSS pixels at that size;
 * otherwise (on a phone) zoomed in around the drawing's centre until they are, up to `maxZoom`.
 * The SVG scales its drawing to fit its box (viewBox, preserveAspectRatio "meet").
 */
export function readableView(
  box: { width: number; height: number },
  drawing: { width: number; height: number },
  labelSize: number,
  minLabelPx: number,
  maxZoom: number,
): View {
  const fit = Math.min(box.width / drawing.width, box.height / drawing.height);
  const k = fit > 0 ? Math.min(maxZoom, Math.max(1, minLabelPx / (labelSize * fit))) : 1;
  return { k, x: (drawing.width / 2) * (1 - k), y: (drawing.height / 2) * (1 - k) };
}

export function viewTransform(view: View): string {
  return `translate(${view.x},${view.y}) scale(${view.k})`;
}
