import type { Element, ElementContent, Root, RootContent } from 'hast';

/**
 * KaTeX's stylesheet and fonts, served as they are from public/katex/ (a copy of katex/dist that
 * katex-assets.test.ts keeps identical to the installed package). Fixed URLs let a page with math
 * link the stylesheet and preload exactly the fonts its formulas use, so the formulas are laid out
 * in their own fonts from the first paint and nothing moves when the fonts arrive.
 */

export const KATEX_STYLESHEET = '/katex/katex.min.css';

export function katexFontUrl(face: string): string {
  return `/katex/fonts/KaTeX_${face}.woff2`;
}

interface FontState {
  family: string;
  bold: boolean;
  italic: boolean;
}

/** The classes of katex.min.css that change the font, as (family, weight, style) updates. */
const CLASS_FONTS: Record<string, Partial<FontState>> = {
  mathnormal: { family: 'Math', italic: true },
  mathit: { family: 'Main', italic: true },
  mathrm: { italic: false },
  mathbf: { family: 'Main', bold: true },
  boldsymbol: { family: 'Math', italic: true, bold: true },
  amsrm: { family: 'AMS' },
  mathbb: { family: 'AMS' },
  textbb: { family: 'AMS' },
  mathcal: { family: 'Caligraphic' },
  mathfrak: { family: 'Fraktur' },
  textfrak: { family: 'Fraktur' },
  mathboldfrak: { family: 'Fraktur', bold: true },
  textboldfrak: { family: 'Fraktur', bold: true },
  mathtt: { family: 'Typewriter' },
  texttt: { family: 'Typewriter' },
  mathscr: { family: 'Script' },
  textscr: { family: 'Script' },
  mathsf: { family: 'SansSerif' },
  textsf: { family: 'SansSerif' },
  mathboldsf: { family: 'SansSerif', bold: true },
  textboldsf: { family: 'SansSerif', bold: true },
  mathitsf: { family: 'SansSerif', italic: true },
  mathsfit: { family: 'SansSerif', italic: true },
  textitsf: { family: 'SansSerif', italic: true },
  mainrm: { family: 'Main', italic: false },
  textrm: { family: 'Main' },
  textbf: { bold: true },
  textit: { italic: true },
};

/** The faces KaTeX ships per family; the browser picks the closest one (or synthesises bold). */
const FACES: Record<string, readonly string[]> = {
  Main: ['Regular', 'Bold', 'Italic', 'BoldItalic'],
  Math: ['Italic', 'BoldItalic'],
  AMS: ['Regular'],
  Caligraphic: ['Regular', 'Bold'],
  Fraktur: ['Regular', 'Bold'],
  SansSerif: ['Regular', 'Bold', 'Italic'],
  Script: ['Regular'],
  Typewriter: ['Regular'],
  Size1: ['Regular'],
  Size2: ['Regular'],
  Size3: ['Regular'],
  Size4: ['Regular'],
};

function faceOf({ family, bold, italic }: FontState): string {
  const faces = FACES[family] ?? ['Regular'];
  const wanted = `${bold ? 'Bold' : ''}${italic ? 'Italic' : ''}` || 'Regular';
  const candidates = [wanted, italic ? 'Italic' : 'Regular', bold ? 'Bold' : 'Regular', 'Regular', faces[0]!];
  const face = candidates.find((c) => faces.includes(c))!;
  return `${family}-${face}`;
}

function classesOf(el: Element): string[] {
  const c = el.properties?.className;
  return Array.isArray(c) ? c.map(String) : [];
}

/** The font state inside `el`, given the state around it (mirrors katex.min.css's selectors). */
function fontInside(el: Element, around: FontState, ancestors: readonly string[][]): FontState {
  const classes = classesOf(el);
  let state = around;
  if (classes.includes('katex')) state = { family: 'Main', bold: false, italic: false };
  for (const c of classes) {
    const update = CLASS_FONTS[c];
    if (update) state = { ...state, ...update };
  }
  if (classes.includes('delimsizing')) {
    const size = classes.find((c) => /^size[1-4]$/.test(c));
    if (size) state = { ...state, family: `Size${size.slice(4)}` };
  }
  if (classes.includes('op-symbol')) {
    if (classes.includes('small-op')) state = { ...state, family: 'Size1' };
    if (classes.includes('large-op')) state = { ...state, family: 'Size2' };
  }
  // `.delimsizing.mult .delim-size1 > span`: the direct children of a delim-size box.
  const parent = ancestors[ancestors.length - 1] ?? [];
  const inMult = ancestors.some((a) => a.includes('delimsizing') && a.includes('mult'));
  if (inMult && parent.includes('delim-size1')) state = { ...state, family: 'Size1' };
  if (inMult && parent.includes('delim-size4')) state = { ...state, family: 'Size4' };
  return state;
}

/**
 * The KaTeX font faces (e.g. "Main-Regular", "Math-Italic") that the rendered math in `tree` sets
 * text in, sorted. The MathML copy is skipped: browsers set it in their own math font.
 */
export function katexFacesIn(tree: Root): string[] {
  const faces = new Set<string>();
  const walk = (node: Root | RootContent | ElementContent, state: FontState | null, ancestors: string[][]) => {
    if (node.type === 'text') {
      if (state && node.value.replace(/[ \t\n\r\f]/g, '') !== '') faces.add(faceOf(state));
      return;
    }
    if (node.type !== 'element' && node.type !== 'root') return;
    let inner = state;
    let chain = ancestors;
    if (node.type === 'element') {
      const classes = classesOf(node);
      if (classes.includes('katex-mathml')) return;
      if (state || classes.includes('katex')) {
        inner = fontInside(node, state ?? { family: 'Main', bold: false, italic: false }, ancestors);
        chain = [...ancestors, classes];
      }
    }
    for (const child of node.children) walk(child, inner, chain);
  };
  walk(tree, null, []);
  return [...faces].sort();
}

/**
 * Lets inline math break after its top-level commas, as text does: a list such as
 * $-1, -0.696, \dots, 1$ would otherwise be one unbreakable box wider than a phone.
 * Commas inside braces, \left…\right or environments, and the control symbol \, are left alone.
 */
export function allowBreaksAfterCommas(tex: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < tex.length; i++) {
    const ch = tex[i]!;
    if (ch === '\\') {
      const command = /^\\([a-zA-Z]+|.)/.exec(tex.slice(i))?.[0] ?? '\\';
      if (command === '\\left' || command === '\\begin') depth++;
      if (command === '\\right' || command === '\\end') depth--;
      out += command;
      i += command.length - 1;
      continue;
    }
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    out += ch;
    if (ch === ',' && depth === 0 && i < tex.length - 1) out += '\\allowbreak ';
  }
  return out;
}
