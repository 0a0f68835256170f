import type { VersionEntry } from '../ports/object-store.js';

/** One acknowledged PutObject of the S3 drill's writer (a line of its JSONL log). */
export interface S3WriteAck {
  readonly seq: number;
  readonly key: string;
  readonly versionId: string;
  /** sha256 of the body, hex. */
  readonly sha256: string;
  /** `create` for a new key, `overwrite` for a key that already held an object. */
  readonly op: 'create' | 'overwrite';
  /** When the request was sent. */
  readonly sentAt: string;
  /** When S3 acknowledged it. */
  readonly at: string;
}

/** Acknowledged writes missing after the restore (ARCHITECTURE.md's RPO, for objects). */
export interface S3DataLoss {
  readonly acknowledged: number;
  readonly lost: number;
  /**
   * With a recovery point (the restore point T): the span of acknowledged writes given up, T →
   * the ack of the newest lost write (ARCHITECTURE.md). Without one: T0 minus the ack time of
   * the oldest lost write. 0 only when none is lost; never below 1 ms when one is.
   */
  readonly rpoSeconds: number;
  readonly oldestLostAt: string | undefined;
  readonly newestLostAt: string | undefined;
  /** Every lost write, in ack order. */
  readonly lostAcks: ReadonlyArray<S3WriteAck>;
}

/**
 * Which acknowledged writes the restored prefix no longer reflects. Writes to one key form a
 * chain (in ack order); the restored content of the key is matched against the chain by
 * sha256: the matched write and every earlier one are kept (the client itself superseded the
 * earlier ones), every later one is lost. A key that is absent, or holds content no write of
 * the chain produced, loses its whole chain.
 *
 * @param restored key → sha256 of its current body (absent keys missing from the map)
 */
export function measureS3Loss(
  acks: ReadonlyArray<S3WriteAck>,
  restored: ReadonlyMap<string, string>,
  t0: Date,
  opts: { recoveryPoint?: Date } = {},
): S3DataLoss {
  const byKey = new Map<string, S3WriteAck[]>();
  for (const a of [...acks].sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.seq - y.seq)) {
    let chain = byKey.get(a.key);
    if (!chain) byKey.set(a.key, (chain = []));
    chain.push(a);
  }
  const lost: S3WriteAck[] = [];
  for (const [key, chain] of byKey) {
    const sha = restored.get(key);
    let kept = -1;
    for (let i = 0; i < chain.length; i++)
      if (sha !== undefined && chain[i]!.sha256 === sha) kept = i;
    lost.push(...chain.slice(kept + 1));
  }
  lost.sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.seq - y.seq);
  const oldest = lost[0];
  const newest = lost[lost.length - 1];
  const span = opts.recoveryPoint
    ? newest
      ? (Date.parse(newest.at) - opts.recoveryPoint.getTime()) / 1000
      : 0
    : oldest
      ? (t0.getTime() - Date.parse(oldest.at)) / 1000
      : 0;
  return {
    acknowledged: acks.length,
    lost: lost.length,
    rpoSeconds: lost.length ? Math.max(0.001, span) : 0,
    oldestLostAt: oldest?.at,
    newestLostAt: lost[lost.length - 1]?.at,
    lostAcks: lost,
  };
}

/** Key → the version id current at `at`, from a version listing (keys absent at `at` omitted). */
export function versionsAt(
  versions: ReadonlyArray<VersionEntry>,
  deleteMarkers: ReadonlyArray<VersionEntry>,
  at: Date,
): Map<string, string> {
  const best = new Map<string, { e: VersionEntry; marker: boolean }>();
  const t = at.getTime();
  const consider = (e: VersionEntry, marker: boolean) => {
    if (e.lastModified.getTime() > t) return;
    const cur = best.get(e.key);
    // S3 times are whole seconds: at a tie the entry flagged latest is the newer one
    if (
      !cur ||
      e.lastModified > cur.e.lastModified ||
      (e.lastModified.getTime() === cur.e.lastModified.getTime() && e.isLatest)
    ) {
      best.set(e.key, { e, marker });
    }
  };
  for (const v of versions) consider(v, false);
  for (const m of deleteMarkers) consider(m, true);
  const out = new Map<string, string>();
  for (const [k, { e, marker }] of best) if (!marker) out.set(k, e.versionId);
  return out;
}

/** The differences between two key → sha256 states of a prefix. */
export interface StateDiff {
  readonly compared: number;
  /** Expected but absent. */
  readonly missing: ReadonlyArray<string>;
  /** Present but not expected. */
  readonly unexpected: ReadonlyArray<string>;
  /** Present with other content. */
  readonly different: ReadonlyArray<string>;
  readonly equal: boolean;
}

/** Compares key by key (sorted lists, so reports are stable). */
export function diffStates(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): StateDiff {
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  const missing: string[] = [];
  const unexpected: string[] = [];
  const different: string[] = [];
  for (const k of keys) {
    const e = expected.get(k);
    const a = actual.get(k);
    if (a === undefined) missing.push(k);
    else if (e === undefined) unexpected.push(k);
    else if (a !== e) different.push(k);
  }
  return {
    compared: keys.size,
    missing: missing.sort(),
    unexpected: unexpected.sort(),
    different: different.sort(),
    equal: missing.length + unexpected.length + different.length === 0,
  };
}

/**
 * The restore point after `now`: S3 reports LastModified in whole seconds, so T is the last
 * millisecond of a second and the writer holds its writes until the next second has begun
 * (plus `marginMs` for clock skew), so that no write's second straddles T.
 */
export function restorePointAfter(
  now: Date,
  marginMs: number,
): { readonly t: Date; readonly resumeAt: Date } {
  const next = Math.ceil((now.getTime() + marginMs + 1) / 1000) * 1000;
  return { t: new Date(next - 1), resumeAt: new Date(next + marginMs) };
}
