import Link from 'next/link';
import { SiteSearch } from '@/components/search/SiteSearch';
import { ThemeToggle } from './ThemeToggle';

const NAV = [
  { href: '/survey/', label: 'Survey' },
  { href: '/taxonomy/', label: 'Taxonomy' },
  { href: '/methods/', label: 'Methods' },
  { href: '/calculator/', label: 'Calculator' },
  { href: '/compare/', label: 'Compare' },
  { href: '/guide/', label: 'Guide' },
  { href: '/benchmarks/', label: 'Benchmarks' },
  { href: '/race/', label: 'Race' },
  { href: '/about/', label: 'About' },
];

/**
 * The header is on every page, so its links are not prefetched when they come into view: that
 * fetched the data and scripts of six routes on every page view (50–100 KB compressed, measured
 * on /calculator/ and /about/), phones included. They still navigate without a full page load;
 * the route is fetched on the click.
 */
export function SiteHeader() {
  return (
    <header className="border-b border-slate-200 dark:border-slate-800">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/" prefetch={false} className="text-lg font-semibold tracking-tight">
          PEFT Atlas
        </Link>
        <nav aria-label="Main" className="order-3 w-full sm:order-none sm:w-auto">
          <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} prefetch={false} className="hover:text-brand-600 dark:hover:text-brand-300">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <SiteSearch />
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}
