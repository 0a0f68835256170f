/** `yyyymmddhhmm` in UTC: a sortable stamp for generated names. */
export function utcStamp(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}
