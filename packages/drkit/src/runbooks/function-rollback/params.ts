import { z } from 'zod';
import { nameList } from '../shared/name-list.js';

/** Parameters of the function rollback (what `--param k=v` accepts). */
export const FunctionRollbackParamsSchema = z
  .object({
    /** The functions whose alias moves back (comma-separated). @default config aws.dbFunctions.names */
    functions: nameList.pipe(z.array(z.string()).min(1, 'name at least one function')),
    /** The alias the callers invoke. @default 'live' */
    alias: z
      .string()
      .regex(/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/, 'an alias name (letters, digits, - and _)')
      .default('live'),
    /**
     * The published version to go back to, for every function. @default the newest published
     * version older than the one the alias routes to now
     */
    version: z
      .string()
      .regex(/^[1-9][0-9]*$/, 'a published version number (1, 2, …)')
      .optional(),
  })
  .strict();

export type FunctionRollbackParams = z.infer<typeof FunctionRollbackParamsSchema>;
