import type { MDXComponents } from '@/lib/content/mdx';
import { LazyPlayground } from '@/components/playground/LazyPlayground';

/**
 * Components an MDX page may use by name: `<Playground method="lora" />` embeds a live toy
 * fine-tune of an implemented method.
 */
export const mdxComponents: MDXComponents = {
  table: (props) => (
    <div className="overflow-x-auto">
      <table {...props} />
    </div>
  ),
  Playground: LazyPlayground,
};
