// The parser lives in util/ so runbooks parse a target the same way without importing an adapter.
export { parseRestoreTarget } from '../../util/restore-target.js';

/**
 * The target as pgBackRest/PostgreSQL read it: `YYYY-MM-DD HH:MM:SS.mmm+00` (explicitly UTC,
 * so the server's `timezone` setting cannot shift it).
 */
export function formatPgTarget(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '+00');
}
