import type { AttachmentKind } from '@/lib/peft/method-api/anatomy';

/**
 * How each attachment kind looks, so it never relies on colour alone: a colour, an outline
 * (solid, dashed, dotted), a pattern in the box's left strip, and a text badge.
 */
export const KIND_STYLE: Record<AttachmentKind, { box: string; strip: string; badge: string; badgeText: string; dash?: string; title: string; legend: string }> = {
  trained: {
    box: 'fill-amber-50 stroke-amber-700 dark:fill-amber-950 dark:stroke-amber-300',
    strip: 'stroke-amber-700 dark:stroke-amber-300',
    badge: 'fill-amber-700 dark:fill-amber-300',
    badgeText: 'fill-white dark:fill-slate-950',
    title: 'Trained',
    legend: 'existing weights are updated',
  },
  added: {
    box: 'fill-teal-50 stroke-teal-700 dark:fill-teal-950 dark:stroke-teal-300',
    strip: 'fill-teal-700 dark:fill-teal-300',
    badge: 'fill-teal-700 dark:fill-teal-300',
    badgeText: 'fill-white dark:fill-slate-950',
    dash: '6 3',
    title: 'Added',
    legend: 'a new trainable module or vector acts here',
  },
  changed: {
    box: 'fill-violet-50 stroke-violet-700 dark:fill-violet-950 dark:stroke-violet-300',
    strip: 'stroke-violet-700 dark:stroke-violet-300',
    badge: 'fill-violet-700 dark:fill-violet-300',
    badgeText: 'fill-white dark:fill-slate-950',
    dash: '2 2',
    title: 'Changed',
    legend: 'frozen, but computed differently',
  },
};

export const FROZEN_BOX = 'fill-slate-50 stroke-slate-300 dark:fill-slate-900 dark:stroke-slate-600';
export const FROZEN_TEXT = 'fill-slate-600 dark:fill-slate-400';

export const patternId = (prefix: string, kind: AttachmentKind) => `${prefix}-pattern-${kind}`;

/** One pattern per kind for the left strip of a box: stripes (trained), dots (added), waves (changed). */
export function KindPatterns({ prefix }: { prefix: string }) {
  return (
    <defs>
      <pattern id={patternId(prefix, 'trained')} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <line x1="0" y1="0" x2="0" y2="6" strokeWidth="3" className={KIND_STYLE.trained.strip} />
      </pattern>
      <pattern id={patternId(prefix, 'added')} width="5" height="5" patternUnits="userSpaceOnUse">
        <circle cx="2.5" cy="2.5" r="1.4" className={KIND_STYLE.added.strip} />
      </pattern>
      <pattern id={patternId(prefix, 'changed')} width="8" height="5" patternUnits="userSpaceOnUse">
        <path d="M0 2.5 Q2 0 4 2.5 T8 2.5" fill="none" strokeWidth="1.4" className={KIND_STYLE.changed.strip} />
      </pattern>
    </defs>
  );
}
