import type { MDXComponents } from '@/lib/content/mdx';

/**
 * Components an MDX page may use by name. Live parts (the playground and the calculator)
 * join this map when they exist; until then a page cannot reference them by accident.
 */
export const mdxComponents: MDXComponents = {
  table: (props) => (
    <div className="overflow-x-auto">
      <table {...props} />
    </div>
  ),
};
