import type { Metadata } from 'next';
import { LazyRace } from '@/components/race/LazyRace';

export const metadata: Metadata = {
  title: 'Method race',
  description: 'Two to six PEFT methods fine-tune the same toy transformer on the same task, side by side in your browser, with live loss and held-out exact match and a shareable final table.',
};

export default function RacePage() {
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Method race</h1>
      <p className="mt-2 max-w-measure text-slate-700 dark:text-slate-300">
        Pick two to six methods and one task. Each fine-tunes the same small pretrained transformer in its own background thread in your browser, and
        their training loss and held-out exact match are drawn over each other as they go, against steps or against wall time. When they finish, a
        table ranks them by final exact match and time to the task&apos;s target, with milliseconds per step, trainable parameters and peak tensor
        memory. The setup, and after a race its table, are kept in the address, so you can share either as a link.
      </p>
      <LazyRace />
    </>
  );
}
