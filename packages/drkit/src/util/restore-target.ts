import { UsageError } from '../engine/errors.js';

const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Parses a restore target typed by a person: `latest`, or an ISO-8601 instant WITH a zone
 * (`2024-05-01T10:00:00Z`, `2024-05-01 10:00:00.123+02:00`, `…+0200`, `…+02`). A time without
 * a zone is refused: it would silently mean the machine's local time. Fractions finer than a
 * millisecond are truncated (a `Date` holds milliseconds).
 * @throws UsageError for anything else, including impossible dates such as Feb 30.
 */
export function parseRestoreTarget(text: string): Date | 'latest' {
  const t = text.trim();
  if (t.toLowerCase() === 'latest') return 'latest';
  const m = ISO_WITH_ZONE.exec(t);
  const bad = (why: string) =>
    new UsageError(`malformed restore target '${text}': ${why}`, {
      hint: "give an ISO-8601 time with a zone, e.g. 2024-05-01T10:00:00Z or '2024-05-01 12:00:00+02:00', or 'latest'",
    });
  if (!m) throw bad('expected YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z or ±HH[:MM]');
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? '0');
  if (month < 1 || month > 12) throw bad('month out of range');
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) throw bad('day out of range');
  if (hour > 23 || minute > 59 || second > 59) throw bad('time out of range');
  const ms = Number((frac ?? '').padEnd(3, '0').slice(0, 3));
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const zh = Number(zm[2]);
    const zmin = Number(zm[3] ?? '0');
    if (zh > 14 || zmin > 59) throw bad('zone offset out of range');
    offsetMin = (zm[1] === '-' ? -1 : 1) * (zh * 60 + zmin);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000);
}

/**
 * The target as pgBackRest/PostgreSQL read it: `YYYY-MM-DD HH:MM:SS.mmm+00` (explicitly UTC,
 * so the server's `timezone` setting cannot shift it).
 */
export function formatPgTarget(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '+00');
}
