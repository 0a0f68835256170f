import { z } from 'zod';

/** A list of names: comma-separated from `--param`, a list from config. */
export const nameList = z.union([
  z.array(z.string().min(1)),
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  ),
]);
