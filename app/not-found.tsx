import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="max-w-xl">
      <h1 className="text-3xl font-bold tracking-tight">Page not found</h1>
      <p className="mt-3 text-slate-700 dark:text-slate-300">
        There is no page at this address. The <Link className="underline" href="/methods/">methods table</Link> lists
        every method we cover.
      </p>
    </div>
  );
}
