import type { MDXComponents } from '@/lib/content/mdx';
import type { ComponentProps } from 'react';
import { LazyCalculator } from '@/components/calculator/LazyCalculator';
import { MeasuredResults } from '@/components/methods/MeasuredResults';
import { LazyPlayground } from '@/components/playground/LazyPlayground';
import { CostValidationTable } from '@/components/mdx/CostValidationTable';
import { PromptScaleChart } from '@/components/mdx/PromptScaleChart';
import { ReloraRankChart } from '@/components/charts/ReloraRankChart';
import { TransferResults } from '@/components/mdx/TransferResults';

/** The calculator's analytic estimate, then what the method measured (static HTML built on the server). */
function CalculatorThenMeasured(props: ComponentProps<typeof LazyCalculator>) {
  return (
    <>
      <LazyCalculator {...props} />
      {props.method && <MeasuredResults method={props.method} />}
    </>
  );
}

/**
 * Components an MDX page may use by name: `<Playground method="lora" />` embeds a live toy
 * fine-tune of an implemented method, `<Calculator method="lora" />` its parameter and memory
 * calculator for real models, followed by what the method measured (toy benchmark, survey).
 * Tables take the column's full width (`wide`) and scroll inside their own box when they are
 * wider still.
 */
export const mdxComponents: MDXComponents = {
  // Focusable: a box that scrolls sideways must be reachable from the keyboard.
  table: (props) => (
    <div className="wide overflow-x-auto" tabIndex={0}>
      <table {...props} />
    </div>
  ),
  Playground: LazyPlayground,
  Calculator: CalculatorThenMeasured,
  CostValidationTable,
  PromptScaleChart,
  ReloraRankChart,
  TransferResults,
};
