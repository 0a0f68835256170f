import { readFileSync } from 'node:fs';

/** kB fields of /proc/<pid>/status: VmHWM (peak resident), VmRSS, RssAnon (private memory). */
export function procStatus(pid: number): { hwm: number; rss: number; anon: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (f: string) => Number(text.match(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { hwm: kb('VmHWM'), rss: kb('VmRSS'), anon: kb('RssAnon') };
}
