/** Arrow-key movement between the methods on the map: pure, so it is tested without a browser. */

export type Direction = 'left' | 'right' | 'up' | 'down';

export interface NavPoint {
  id: string;
  x: number;
  y: number;
}

const VECTORS: Record<Direction, { dx: number; dy: number }> = {
  left: { dx: -1, dy: 0 },
  right: { dx: 1, dy: 0 },
  up: { dx: 0, dy: -1 },
  down: { dx: 0, dy: 1 },
};

/** Sideways offsets count this much more than distance ahead: arrows prefer the same row or column. */
const SIDEWAYS_WEIGHT = 3;

/**
 * The method an arrow key moves to: the nearest one ahead in that direction, where being off to
 * the side costs more than being far ahead. Null when nothing lies that way.
 */
export function nextInDirection(points: readonly NavPoint[], fromId: string, direction: Direction): string | null {
  const from = points.find((p) => p.id === fromId);
  if (!from) return points[0]?.id ?? null;
  const { dx, dy } = VECTORS[direction];
  let best: { id: string; cost: number } | null = null;
  for (const p of points) {
    if (p.id === fromId) continue;
    const ahead = (p.x - from.x) * dx + (p.y - from.y) * dy;
    // Points level with this one (same row for up/down) are not "ahead".
    if (ahead <= 1) continue;
    const sideways = Math.abs((p.x - from.x) * dy - (p.y - from.y) * dx);
    const cost = ahead + SIDEWAYS_WEIGHT * sideways;
    if (!best || cost < best.cost) best = { id: p.id, cost };
  }
  return best?.id ?? null;
}
