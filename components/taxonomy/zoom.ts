/**
 * Pan and zoom for the taxonomy map, with d3-zoom. Loaded after the page is interactive (a
 * separate chunk), so d3's zoom, drag and transition code stays out of the first load.
 */
import { select } from 'd3-selection';
import { zoom as d3Zoom, zoomIdentity, type ZoomTransform } from 'd3-zoom';
import type { View } from './view';

export interface MapZoom {
  zoomBy(factor: number): void;
  /** Back to the given view. */
  reset(view: View): void;
  /** Centres the point (in drawing units) without changing the zoom. */
  centreOn(x: number, y: number): void;
  detach(): void;
}

/**
 * Drag and pinch pan and zoom; the wheel zooms only with Ctrl or ⌘ (a trackpad pinch sends
 * that), so a plain wheel keeps scrolling the page. Starts from the view already applied.
 */
export function attachZoom(svg: SVGSVGElement, layer: SVGGElement, width: number, height: number, maxZoom: number, start: View): MapZoom {
  const behavior = d3Zoom<SVGSVGElement, unknown>()
    .scaleExtent([1, maxZoom])
    .translateExtent([
      [0, 0],
      [width, height],
    ])
    .filter((event: Event) => {
      if (event.type === 'wheel') return (event as WheelEvent).ctrlKey || (event as WheelEvent).metaKey;
      return !(event as MouseEvent).button;
    })
    .on('zoom', (event: { transform: ZoomTransform }) => layer.setAttribute('transform', event.transform.toString()));
  const selection = select(svg).call(behavior).on('dblclick.zoom', null);
  const toTransform = (view: View) => zoomIdentity.translate(view.x, view.y).scale(view.k);
  behavior.transform(selection, toTransform(start));
  return {
    zoomBy: (factor) => behavior.scaleBy(selection, factor),
    reset: (view) => behavior.transform(selection, toTransform(view)),
    centreOn: (x, y) => behavior.translateTo(selection, x, y),
    detach: () => {
      selection.on('.zoom', null);
    },
  };
}
