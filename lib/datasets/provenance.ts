import { z } from 'zod';

/**
 * Where a record comes from. Every record of every benchmark dataset carries one, so a figure on
 * the site can always name the paper, repository or script behind it.
 */
export const provenanceSchema = z
  .object({
    /** A paper and table, a repository at a commit, or the script that measured or computed it. */
    source: z.string().min(3),
    /** What exactly in that source: a notebook, a table, a command line. */
    detail: z.string().min(3).optional(),
  })
  .strict();

export type Provenance = z.infer<typeof provenanceSchema>;

/** Mean and sample standard deviation of a measurement over seeds (std 0 for one seed). */
export const spreadSchema = z.object({ mean: z.number().finite(), std: z.number().finite().nonnegative(), n: z.number().int().positive() }).strict();
export type Spread = z.infer<typeof spreadSchema>;
