import { UsageError } from '../../engine/errors.js';
import type { ManifestEntry } from '../../ports/object-store.js';

/**
 * Parses a restore manifest: CSV lines `key,versionId` (the seed's `s3-restore-list.sh`
 * input). Blank lines and `#` comments are ignored, a `key,versionId` header is allowed,
 * fields may be double-quoted (a key with a comma must be). A key listed twice is refused:
 * the run could not tell which version is meant.
 * @throws UsageError naming the first bad lines
 */
export function parseRestoreManifest(text: string, source = 'manifest'): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const bad: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = splitCsv(line);
    if (
      i === 0 &&
      fields &&
      fields[0]?.toLowerCase() === 'key' &&
      fields[1]?.toLowerCase().replace(/[_ ]/g, '') === 'versionid'
    )
      return;
    if (!fields || fields.length !== 2 || !fields[0] || !fields[1]) {
      bad.push(`line ${i + 1}: expected key,versionId`);
      return;
    }
    const [key, versionId] = fields as [string, string];
    const dup = seen.get(key);
    if (dup !== undefined) bad.push(`line ${i + 1}: key ${key} already listed on line ${dup}`);
    seen.set(key, i + 1);
    out.push({ key, versionId });
  });
  if (bad.length > 0) {
    throw new UsageError(`${source}: ${bad.length} bad line(s): ${bad.slice(0, 5).join('; ')}`, {
      details: { bad: bad.slice(0, 50) },
    });
  }
  return out;
}

/** Splits one CSV line; `undefined` on an unterminated quote. */
function splitCsv(line: string): string[] | undefined {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      fields.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (quoted) return undefined;
  fields.push(cur.trim());
  return fields;
}
