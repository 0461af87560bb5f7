/** A category name with its colour dot (colours defined once in globals.css as --cat-<category>). */
export function CategoryBadge({ category, label }: { category: string; label: string }) {
  return (
    <span className="inline-flex items-center gap-1.5 whitespace-nowrap">
      <span aria-hidden="true" className="inline-block size-2.5 rounded-full" style={{ background: `var(--cat-${category})` }} />
      {label}
    </span>
  );
}
