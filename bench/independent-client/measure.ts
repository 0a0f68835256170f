/**
 * The independent client's own reading of ARCHITECTURE.md's Measurement definitions. It imports
 * nothing from drkit on purpose: the point is a second implementation of RTO, RPO and the
 * lost-write count, from a second client's log, to check the drill's figures against.
 */

/** One write as a client saw it. `at` is the ack (or failure) time: when the answer arrived. */
export interface ClientWrite {
  readonly ref: string;
  readonly at: string;
  readonly type: 'ack' | 'refused' | 'fail';
  /** The cluster the answering task said it wrote to (acks only). */
  readonly cluster?: string;
  readonly task?: string;
}

/** RTO per ARCHITECTURE.md: the first write after T0 followed by sustained success. */
export interface RecoveryFigure {
  readonly recoveredAt: string | undefined;
  readonly rtoSeconds: number | undefined;
}

/**
 * Recovery = the first acknowledged write at or after `from` on `cluster` such that for
 * `sustainMs` after it no write failed, was refused or was acknowledged by another cluster, at
 * least `minWrites` were acknowledged, and the log goes on past the window (so "sustained" was
 * observed, not assumed). RTO = recovery − `from`.
 */
export function recovery(
  writes: ReadonlyArray<ClientWrite>,
  from: Date,
  cluster: string,
  opts: { sustainMs?: number; minWrites?: number } = {},
): RecoveryFigure {
  const sustainMs = opts.sustainMs ?? 3000;
  const minWrites = opts.minWrites ?? 5;
  const after = [...writes]
    .filter((w) => Date.parse(w.at) >= from.getTime())
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (let i = 0; i < after.length; i++) {
    const w = after[i]!;
    if (w.type !== 'ack' || w.cluster !== cluster) continue;
    const start = Date.parse(w.at);
    let acks = 0;
    let ok = true;
    let seenPast = false;
    for (let j = i; j < after.length; j++) {
      const q = after[j]!;
      if (Date.parse(q.at) > start + sustainMs) {
        seenPast = true;
        break;
      }
      if (q.type !== 'ack' || q.cluster !== cluster) {
        ok = false;
        break;
      }
      acks++;
    }
    if (ok && seenPast && acks >= minWrites)
      return {
        recoveredAt: new Date(start).toISOString(),
        rtoSeconds: (start - from.getTime()) / 1000,
      };
  }
  return { recoveredAt: undefined, rtoSeconds: undefined };
}

/** Lost writes and RPO per ARCHITECTURE.md. */
export interface LossFigure {
  readonly acknowledged: number;
  readonly lost: number;
  readonly rpoSeconds: number;
  /** The recovery point the RPO is measured from. */
  readonly recoveryPoint: string | undefined;
  readonly oldestLostAt: string | undefined;
  readonly newestLostAt: string | undefined;
  /** The refs of the lost writes, in ack order. */
  readonly lostRefs: ReadonlyArray<string>;
}

/**
 * Lost = acknowledged writes whose ref is absent from the recovered database. RPO = the ack time
 * of the newest lost write − the recovery point: the restore target when given (PITR), else the
 * newest acknowledged write that survived before the first lost one (failover). 0 only when
 * nothing is lost.
 */
export function loss(
  writes: ReadonlyArray<ClientWrite>,
  present: ReadonlySet<string>,
  restoreTarget?: Date,
): LossFigure {
  const acks = writes
    .filter((w) => w.type === 'ack')
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const lost = acks.filter((a) => !present.has(a.ref));
  const oldest = lost[0];
  const newest = lost[lost.length - 1];
  let point: number | undefined;
  if (restoreTarget) point = restoreTarget.getTime();
  else if (oldest) {
    const i = acks.indexOf(oldest);
    point = Date.parse((i > 0 ? acks[i - 1]! : oldest).at);
  }
  return {
    acknowledged: acks.length,
    lost: lost.length,
    rpoSeconds: newest && point !== undefined ? (Date.parse(newest.at) - point) / 1000 : 0,
    recoveryPoint: point !== undefined ? new Date(point).toISOString() : undefined,
    oldestLostAt: oldest?.at,
    newestLostAt: newest?.at,
    lostRefs: lost.map((a) => a.ref),
  };
}

/**
 * The longest span between two consecutive acknowledged writes that ends after `from`: the
 * write outage this client saw, and where it started (for a planned move's RTO).
 */
export function longestAckGap(
  writes: ReadonlyArray<ClientWrite>,
  from: Date,
): { seconds: number; start: string | undefined; end: string | undefined } {
  const acks = writes
    .filter((w) => w.type === 'ack')
    .map((w) => Date.parse(w.at))
    .sort((a, b) => a - b);
  let best = {
    seconds: 0,
    start: undefined as string | undefined,
    end: undefined as string | undefined,
  };
  for (let i = 1; i < acks.length; i++) {
    if (acks[i]! < from.getTime()) continue;
    const s = (acks[i]! - acks[i - 1]!) / 1000;
    if (s > best.seconds)
      best = {
        seconds: s,
        start: new Date(acks[i - 1]!).toISOString(),
        end: new Date(acks[i]!).toISOString(),
      };
  }
  return best;
}

/**
 * The gap between the answer at `at` and the answer this client got just before it (any
 * outcome): how finely the client places an event that starts there (a recovery, a loss).
 */
export function gapBefore(writes: ReadonlyArray<ClientWrite>, at: string): number {
  const t = Date.parse(at);
  const prev = writes
    .map((w) => Date.parse(w.at))
    .filter((x) => x < t)
    .sort((a, b) => a - b)
    .at(-1);
  return prev === undefined ? 0 : (t - prev) / 1000;
}

/**
 * How finely this client places the end of a loss whose newest lost ack is `at`: each app task
 * that acknowledged a write in the second before `at` could have acknowledged (and lost) more
 * until this client next heard from that task, so the bound is the latest of those next
 * answers − `at` (a client that spreads its writes over n tasks asks each only every n/rate s).
 * Answers naming no task (connection refused, timeouts) bound nothing and are ignored, unless
 * no task answered again at all; then the next answer of any kind is the bound.
 */
export function lossEndResolution(writes: ReadonlyArray<ClientWrite>, at: string): number {
  const t = Date.parse(at);
  const sorted = [...writes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const serving = new Set(
    sorted
      .filter(
        (w) => w.type === 'ack' && w.task && Date.parse(w.at) >= t - 1000 && Date.parse(w.at) <= t,
      )
      .map((w) => w.task!),
  );
  let bound: number | undefined;
  for (const task of serving) {
    const next = sorted.find((w) => w.task === task && Date.parse(w.at) > t);
    if (next) bound = Math.max(bound ?? 0, Date.parse(next.at));
  }
  if (bound === undefined) {
    const next = sorted.find((w) => Date.parse(w.at) > t);
    if (next) bound = Date.parse(next.at);
  }
  return bound === undefined ? 0 : (bound - t) / 1000;
}

/** Signed difference of `x` from `ref` in percent of `ref` (undefined when `ref` is 0). */
export function pct(x: number | undefined, ref: number | undefined): number | undefined {
  if (x === undefined || ref === undefined || ref === 0) return undefined;
  return ((x - ref) / ref) * 100;
}
