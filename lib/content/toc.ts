import GithubSlugger from 'github-slugger';

/**
 * The table of contents of an MDX body: its h2 and h3 headings with the ids rehype-slug gives
 * them (the same slugger, fed the headings in order, so the links always land).
 */

export interface TocEntry {
  depth: 2 | 3;
  id: string;
  text: string;
}

/** Headings' text as a reader sees it: markdown emphasis, code ticks, links and math markers removed. */
function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]/g, '')
    .replace(/\$([^$]*)\$/g, '$1')
    .trim();
}

export function tocFromMdx(source: string): TocEntry[] {
  const slugger = new GithubSlugger();
  const entries: TocEntry[] = [];
  let inFence = false;
  for (const line of source.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const m = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const [, hashes = '', heading = ''] = m;
    const text = plainText(heading);
    const id = slugger.slug(text);
    const depth = hashes.length;
    if (depth === 2 || depth === 3) entries.push({ depth, id, text });
  }
  return entries;
}
