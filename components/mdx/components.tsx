import type { MDXComponents } from '@/lib/content/mdx';
import { LazyCalculator } from '@/components/calculator/LazyCalculator';
import { LazyPlayground } from '@/components/playground/LazyPlayground';

/**
 * Components an MDX page may use by name: `<Playground method="lora" />` embeds a live toy
 * fine-tune of an implemented method, `<Calculator method="lora" />` its parameter and memory
 * calculator for real models.
 */
export const mdxComponents: MDXComponents = {
  table: (props) => (
    <div className="overflow-x-auto">
      <table {...props} />
    </div>
  ),
  Playground: LazyPlayground,
  Calculator: LazyCalculator,
};
