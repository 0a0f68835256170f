import type { Database } from '../../ports/database.js';

/**
 * Facts of a cluster that change when it is made again under the same id (the lab's creation
 * stamp and data directory, a stanza; AWS's resource id or ARN, when the adapter reports them).
 */
const IDENTITY_KEYS = [
  'createdAt',
  'dataDir',
  'stanza',
  'systemIdentifier',
  'resourceId',
  'arn',
] as const;

/**
 * RB-N-02's identity: the source cluster as it is now (read-only). A resume against a source
 * rebuilt since its start is refused by the engine.
 */
export async function sourceIdentity(
  database: Database,
  source: string,
): Promise<Record<string, unknown>> {
  const d = await database.describe(source);
  const out: Record<string, unknown> = { source: d.id };
  for (const k of IDENTITY_KEYS) if (d.details[k] !== undefined) out[k] = d.details[k];
  return out;
}
