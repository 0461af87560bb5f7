/** In place of a playground or calculator whose method id is not implemented (or not known):
 * the reason as one sentence, never a crashed page. */
export function MethodUnavailable({ what, message }: { what: string; message: string }) {
  return (
    <div role="note" data-testid="method-unavailable" className="not-prose my-8 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
      <p className="font-medium">No {what} here yet</p>
      <p className="mt-1">{message}</p>
    </div>
  );
}
