import { z } from 'zod';

/** The words a boolean `--param` accepts (any case), and what each means. */
const WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};

/** The accepted spellings, as error messages list them. */
export const BOOL_PARAM_WORDS = 'true/false, 1/0, yes/no';

/**
 * Parses one boolean parameter strictly: `true/false`, `1/0`, `yes/no` (any case, surrounding
 * blanks ignored), or a boolean from config. Anything else is refused — never coerced: `false`
 * must not become true (as `z.coerce.boolean` makes every non-empty string).
 * @returns `undefined` when `v` is none of these
 */
export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  return WORDS[v.trim().toLowerCase()];
}

/**
 * The one schema for every boolean runbook parameter (`--param force=yes`). Use
 * `boolParam().default(false)` for an optional flag. The error (prefixed by the CLI with
 * `--param <name>:`) lists the accepted values and the value given.
 */
export function boolParam() {
  return z
    .unknown()
    .transform((v, ctx): boolean => {
      const b = parseBool(v);
      if (b === undefined) {
        ctx.issues.push({
          code: 'custom',
          input: v,
          message: `expected a boolean (${BOOL_PARAM_WORDS}), got ${JSON.stringify(v)}`,
        });
        return z.NEVER;
      }
      return b;
    })
    .describe('true|false');
}
