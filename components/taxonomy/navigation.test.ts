import { describe, expect, it } from 'vitest';
import { nextInDirection, type NavPoint } from './navigation';

// Two rows of three, and one point far below on the right.
const grid: NavPoint[] = [
  { id: 'a', x: 0, y: 0 },
  { id: 'b', x: 100, y: 0 },
  { id: 'c', x: 200, y: 0 },
  { id: 'd', x: 0, y: 30 },
  { id: 'e', x: 100, y: 30 },
  { id: 'f', x: 200, y: 30 },
  { id: 'g', x: 190, y: 300 },
];

describe('arrow-key movement on the map', () => {
  it('moves along a row and down a column', () => {
    expect(nextInDirection(grid, 'a', 'right')).toBe('b');
    expect(nextInDirection(grid, 'b', 'left')).toBe('a');
    expect(nextInDirection(grid, 'b', 'down')).toBe('e');
    expect(nextInDirection(grid, 'e', 'up')).toBe('b');
  });

  it('prefers the same row over a nearer point off to the side', () => {
    const points: NavPoint[] = [
      { id: 'from', x: 0, y: 0 },
      { id: 'same-row', x: 120, y: 0 },
      { id: 'diagonal', x: 60, y: 50 },
    ];
    expect(nextInDirection(points, 'from', 'right')).toBe('same-row');
  });

  it('reaches a lone point far away when it is the only one that way', () => {
    expect(nextInDirection(grid, 'f', 'down')).toBe('g');
  });

  it('stays put when nothing lies in that direction', () => {
    expect(nextInDirection(grid, 'a', 'left')).toBeNull();
    expect(nextInDirection(grid, 'g', 'down')).toBeNull();
    // Level points are not "above".
    expect(nextInDirection(grid, 'a', 'up')).toBeNull();
  });

  it('starts at the first point when the current one is unknown', () => {
    expect(nextInDirection(grid, 'gone', 'right')).toBe('a');
  });
});
