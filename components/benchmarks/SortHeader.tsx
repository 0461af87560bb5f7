import type { SortDir } from './sort';

interface Props<K extends string> {
  sortKey: K;
  label: string;
  current: { key: K; dir: SortDir };
  onSort: (key: K) => void;
  numeric?: boolean;
  className?: string;
}

/** A column header that sorts its table: a button inside the th, aria-sort on the sorted one. */
export function SortHeader<K extends string>({ sortKey, label, current, onSort, numeric, className = '' }: Props<K>) {
  const sorted = current.key === sortKey;
  return (
    <th
      scope="col"
      className={`py-2 pl-3 pr-3 align-bottom font-semibold first:pl-0 ${numeric ? 'text-right' : 'text-left'} ${className}`}
      aria-sort={sorted ? (current.dir === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <button type="button" onClick={() => onSort(sortKey)} className={`hover:underline ${numeric ? 'text-right' : 'text-left'}`} data-sort={sortKey}>
        {label}
        <span aria-hidden="true">{sorted ? (current.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}
