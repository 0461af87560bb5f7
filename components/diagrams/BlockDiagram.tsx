import { type Attachment, type AttachmentKind, BLOCK_PARTS } from '@/lib/peft/method-api/anatomy';
import { BADGE_FONT, KINDS, LABEL_FONT, PART_LABELS, PART_SHORT_LABELS, type PartBox, RESIDUAL_LINE_X, STRIP_W, layoutBlock } from './block-layout';
import { FROZEN_BOX, FROZEN_TEXT, KIND_STYLE, KindPatterns, patternId } from './kind-styles';

interface Props {
  /** The method's name, for the title. */
  methodName: string;
  attachments: readonly Attachment[];
  /** Unique on the page: prefixes the SVG's ids. */
  id: string;
}

/** The kind whose look a box takes when a part has several (an added module on a changed map). */
const primaryKind = (kinds: readonly AttachmentKind[]): AttachmentKind | undefined => kinds[0];

function Box({ box, prefix }: { box: PartBox; prefix: string }) {
  const kind = primaryKind(box.kinds);
  const style = kind && KIND_STYLE[kind];
  return (
    <g data-part={box.part} data-kinds={box.kinds.join(' ') || 'frozen'}>
      <rect
        x={box.x}
        y={box.y}
        width={box.w}
        height={box.h}
        rx={4}
        className={style ? style.box : FROZEN_BOX}
        strokeWidth={style ? 2 : 1}
        strokeDasharray={style ? style.dash : box.slot ? '4 3' : undefined}
      />
      {kind && <rect x={box.strip.x} y={box.strip.y} width={box.strip.w} height={box.strip.h} fill={`url(#${patternId(prefix, kind)})`} />}
      <text x={box.labelX} y={box.labelY} textAnchor={box.labelAnchor} fontSize={LABEL_FONT} className={kind ? 'fill-slate-900 dark:fill-slate-50' : FROZEN_TEXT}>
        {box.label}
      </text>
      {box.badges.map((b) => (
        <g key={b.kind}>
          <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={b.h / 2} className={KIND_STYLE[b.kind].badge} />
          <text x={b.x + b.w / 2} y={b.y + b.h / 2 + BADGE_FONT * 0.35} textAnchor="middle" fontSize={BADGE_FONT} className={KIND_STYLE[b.kind].badgeText}>
            {b.kind}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Sentence for screen readers and the figure's description: what is trained, added, changed. */
export function anatomySummary(attachments: readonly Attachment[]): string {
  const parts = (kind: AttachmentKind) => BLOCK_PARTS.filter((p) => attachments.some((a) => a.kind === kind && a.part === p)).map((p) => PART_SHORT_LABELS[p]);
  const said = KINDS.map((k) => ({ k, ps: parts(k) }))
    .filter(({ ps }) => ps.length > 0)
    .map(({ k, ps }) => `${KIND_STYLE[k].title}: ${ps.join(', ')}.`);
  const picked = attachments.some((a) => a.chosenFromData) ? ' Which weights are trained is picked from task data.' : '';
  return said.length > 0 ? `${said.join(' ')}${picked} Everything else is frozen.` : 'Nothing is trained, added or changed.';
}

/**
 * Where a method attaches in a (pre-norm) transformer block: a server-rendered SVG drawn from
 * the method file's `anatomy`, with a legend and the same facts as a list.
 */
export function BlockDiagram({ methodName, attachments, id }: Props) {
  const layout = layoutBlock(attachments);
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const ordered = [...attachments].sort((a, b) => BLOCK_PARTS.indexOf(a.part) - BLOCK_PARTS.indexOf(b.part) || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  const usedKinds = KINDS.filter((k) => attachments.some((a) => a.kind === k));
  const arrowId = `${id}-arrow`;
  return (
    <figure className="not-prose flex flex-col gap-6 sm:flex-row sm:items-start" data-testid="block-diagram">
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        className="h-auto w-full max-w-[24rem] shrink-0 text-slate-500 dark:text-slate-400"
      >
        <title id={titleId}>{`Where ${methodName} attaches in a transformer block`}</title>
        <desc id={descId}>{anatomySummary(attachments)}</desc>
        <KindPatterns prefix={id} />
        <defs>
          <marker id={arrowId} viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0 0 L8 4 L0 8 z" fill="currentColor" />
          </marker>
        </defs>
        <rect
          x={layout.frame.x}
          y={layout.frame.y}
          width={layout.frame.w}
          height={layout.frame.h}
          rx={8}
          className="fill-none stroke-slate-300 dark:stroke-slate-600"
          strokeWidth={1}
        />
        <text x={layout.frame.x + layout.frame.w - 8} y={layout.frame.labelY} textAnchor="end" fontSize={LABEL_FONT} fontWeight={600} className="fill-slate-700 dark:fill-slate-300">
          Block × N layers
        </text>
        {layout.arrows.map((a, i) => (
          <line key={i} x1={a.x1} y1={a.y1} x2={a.x2} y2={a.y2 - 1} stroke="currentColor" strokeWidth={1.25} markerEnd={`url(#${arrowId})`} />
        ))}
        {layout.adds.map((add) => (
          <g key={add.cy}>
            <path
              d={`M${add.cx} ${add.from} H${RESIDUAL_LINE_X} V${add.cy} H${add.cx - add.r - 1}`}
              fill="none"
              stroke="currentColor"
              strokeWidth={1.25}
              markerEnd={`url(#${arrowId})`}
            />
            <circle cx={add.cx} cy={add.cy} r={add.r} className="fill-white stroke-slate-500 dark:fill-slate-950 dark:stroke-slate-400" strokeWidth={1.25} />
            <path d={`M${add.cx - 5} ${add.cy} H${add.cx + 5} M${add.cx} ${add.cy - 5} V${add.cy + 5}`} stroke="currentColor" strokeWidth={1.5} />
          </g>
        ))}
        {layout.plain.map((p) => (
          <g key={p.label}>
            <rect x={p.x} y={p.y} width={p.w} height={p.h} rx={4} className="fill-white stroke-slate-300 dark:fill-slate-950 dark:stroke-slate-600" />
            <text x={p.x + p.w / 2} y={p.y + p.h / 2 + LABEL_FONT * 0.35} textAnchor="middle" fontSize={LABEL_FONT} className={FROZEN_TEXT}>
              {p.label}
            </text>
          </g>
        ))}
        {layout.parts.map((box) => (
          <Box key={box.part} box={box} prefix={id} />
        ))}
        {layout.sides.map((side) => (
          <g key={side.y} data-side-for={side.parts.join(' ')}>
            <line x1={side.connector.x1} y1={side.connector.y} x2={side.connector.x2} y2={side.connector.y} strokeWidth={2} strokeDasharray="3 2" className="stroke-teal-700 dark:stroke-teal-300" />
            <rect x={side.x} y={side.y} width={side.w} height={side.h} rx={4} className={KIND_STYLE.added.box} strokeWidth={2} strokeDasharray={KIND_STYLE.added.dash} />
            <rect x={side.x + 1} y={side.y + 1} width={STRIP_W} height={side.h - 2} fill={`url(#${patternId(id, 'added')})`} />
            <text fontSize={LABEL_FONT} className="fill-slate-900 dark:fill-slate-50">
              {side.lines.map((line, i) => (
                <tspan key={i} x={side.x + STRIP_W + 6} y={side.y + 6 + LABEL_FONT * 0.85 + i * 15 + (side.h - 12 - side.lines.length * 15) / 2}>
                  {line}
                </tspan>
              ))}
            </text>
          </g>
        ))}
      </svg>
      <div className="min-w-0 flex-1 text-sm">
        <h3 className="font-semibold">Legend</h3>
        <ul className="mt-2 space-y-1.5">
          {KINDS.map((kind) => (
            <li key={kind} className="flex items-center gap-2">
              <svg width="40" height="20" viewBox="0 0 40 20" aria-hidden="true" className="shrink-0">
                <rect x="1" y="1" width="38" height="18" rx="3" className={KIND_STYLE[kind].box} strokeWidth={2} strokeDasharray={KIND_STYLE[kind].dash} />
                <rect x="2" y="2" width={STRIP_W} height="16" fill={`url(#${patternId(id, kind)})`} />
              </svg>
              <span>
                <strong className="font-semibold">{KIND_STYLE[kind].title}</strong>: {KIND_STYLE[kind].legend}
                {!usedKinds.includes(kind) && <span className="text-slate-600 dark:text-slate-400"> (none here)</span>}
              </span>
            </li>
          ))}
          <li className="flex items-center gap-2">
            <svg width="40" height="20" viewBox="0 0 40 20" aria-hidden="true" className="shrink-0">
              <rect x="1" y="1" width="38" height="18" rx="3" className={FROZEN_BOX} strokeWidth={1} />
            </svg>
            <span>
              <strong className="font-semibold">Frozen</strong>: left as it is
            </span>
          </li>
        </ul>
        <h3 className="mt-5 font-semibold">What {methodName} does, part by part</h3>
        {ordered.length > 0 ? (
          <ul className="mt-2 list-disc space-y-1 pl-5" data-testid="attachment-list">
            {ordered.map((a) => (
              <li key={`${a.part}-${a.kind}`} data-part={a.part} data-kind={a.kind}>
                {PART_LABELS[a.part]} — <strong className="font-semibold">{a.kind}</strong>: {a.note}
                {a.chosenFromData && ' (picked from task data)'}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2">Nothing in the block is trained, added or changed.</p>
        )}
        {attachments.some((a) => a.chosenFromData) && (
          <p className="mt-3">
            Which weights are trained is picked from task data before training, so the parts marked trained are where they
            may be; a run can train none of a part&apos;s weights.
          </p>
        )}
        <p className="mt-3 text-slate-600 dark:text-slate-400">
          Drawn from what the method&apos;s implementation declares, with its default settings, on a pre-norm decoder block; other
          parts are frozen.
        </p>
      </div>
    </figure>
  );
}
