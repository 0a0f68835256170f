import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { MetricSample } from '../ports/metrics.js';

/** One standby's lag at a sample. */
export interface StandbyLag {
  readonly name: string;
  /** Replay lag (pg_stat_replication.replay_lag; 0 when idle and caught up). */
  readonly lagSeconds: number;
  /** WAL written on the primary not yet replayed on the standby. */
  readonly lagBytes: number;
}

/** One primary's lag figures at one moment: a line of the lag history. */
export interface LagPoint {
  /** When the figures were read (ISO 8601). */
  readonly at: string;
  /** What read them: `verify` or `metrics` (a scrape). */
  readonly source: string;
  readonly cluster: string;
  /** Seconds since the newest WAL segment was archived (absent: never archived, or unreadable). */
  readonly archiveLagSeconds?: number;
  readonly standbys: ReadonlyArray<StandbyLag>;
}

/** `<stateDir>/posture/lag-history.jsonl`: one {@link LagPoint} per line, oldest first. */
export function lagHistoryPath(stateDir: string): string {
  return path.join(stateDir, 'posture', 'lag-history.jsonl');
}

/**
 * The lag points in a set of metric samples (`drkit_archive_last_success_age_seconds`,
 * `drkit_replica_lag_seconds`/`_bytes`), one per primary that has any.
 */
export function lagPointsFromSamples(
  samples: ReadonlyArray<MetricSample>,
  source: string,
  at: Date,
): LagPoint[] {
  const by = new Map<string, { archive?: number; standbys: Map<string, StandbyLag> }>();
  const of = (cluster: string) => {
    const e = by.get(cluster) ?? { standbys: new Map<string, StandbyLag>() };
    by.set(cluster, e);
    return e;
  };
  for (const s of samples) {
    const cluster = s.labels.cluster;
    if (!cluster) continue;
    if (s.name === 'drkit_archive_last_success_age_seconds') of(cluster).archive = s.value;
    else if (s.name === 'drkit_replica_lag_seconds' || s.name === 'drkit_replica_lag_bytes') {
      const name = s.labels.standby ?? '?';
      const st = of(cluster).standbys;
      const prev = st.get(name) ?? { name, lagSeconds: 0, lagBytes: 0 };
      st.set(
        name,
        s.name === 'drkit_replica_lag_seconds'
          ? { ...prev, lagSeconds: s.value }
          : { ...prev, lagBytes: s.value },
      );
    }
  }
  return [...by].map(([cluster, e]) => ({
    at: at.toISOString(),
    source,
    cluster,
    ...(e.archive !== undefined ? { archiveLagSeconds: e.archive } : {}),
    standbys: [...e.standbys.values()],
  }));
}

/** Options of {@link LagHistory}. */
export interface LagHistoryOptions {
  /** A sample sooner than this after the last one this object kept is dropped. @default 0 */
  readonly minIntervalMs?: number;
  /**
   * Past this size the file is cut to its newest half (by bytes), so it stays bounded however
   * long the lab scrapes. @default 1 MiB (~7 000 samples: ~20 h at one per 10 s)
   */
  readonly maxBytes?: number;
}

/**
 * The bounded lag history `drkit verify` and each metrics scrape append to, for the dashboard's
 * lag charts. Appends are one `O_APPEND` write per sample; the cut rewrites the file through a
 * temporary file and a rename (a sample appended by another process during the cut is lost).
 */
export class LagHistory {
  readonly file: string;
  private last = 0;
  private readonly minIntervalMs: number;
  private readonly maxBytes: number;

  constructor(stateDir: string, opts: LagHistoryOptions = {}) {
    this.file = lagHistoryPath(stateDir);
    this.minIntervalMs = opts.minIntervalMs ?? 0;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
  }

  /**
   * Appends the samples' lag points (none: nothing written). Returns the points written, or
   * why not: the history must never fail the scrape or the verify that feeds it.
   */
  record(
    samples: ReadonlyArray<MetricSample>,
    source: string,
    now = new Date(),
  ): { written: number; error?: string } {
    if (this.minIntervalMs > 0 && now.getTime() - this.last < this.minIntervalMs)
      return { written: 0 };
    const points = lagPointsFromSamples(samples, source, now);
    if (points.length === 0) return { written: 0 };
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      appendFileSync(this.file, points.map((p) => JSON.stringify(p) + '\n').join(''));
      this.last = now.getTime();
      if (statSync(this.file).size > this.maxBytes) this.cut();
      return { written: points.length };
    } catch (err) {
      return { written: 0, error: (err as Error).message };
    }
  }

  private cut(): void {
    const text = readFileSync(this.file, 'utf8');
    let from = text.length - Math.floor(this.maxBytes / 2);
    from = text.indexOf('\n', Math.max(0, from - 1)) + 1;
    writeFileSync(`${this.file}.tmp`, text.slice(from));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/** The lag history read back: its points, oldest first, and the lines it could not read. */
export interface LagHistoryRead {
  readonly file: string;
  readonly points: ReadonlyArray<LagPoint>;
  /** Lines that are not a lag point (a torn write, a hand edit): skipped, counted. */
  readonly skippedLines: number;
}

const isPoint = (v: unknown): v is LagPoint => {
  const p = v as Partial<LagPoint> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.at === 'string' &&
    !Number.isNaN(Date.parse(p.at)) &&
    typeof p.cluster === 'string' &&
    (p.archiveLagSeconds === undefined || typeof p.archiveLagSeconds === 'number') &&
    Array.isArray(p.standbys) &&
    p.standbys.every(
      (s: Partial<StandbyLag>) =>
        typeof s?.name === 'string' &&
        typeof s.lagSeconds === 'number' &&
        typeof s.lagBytes === 'number',
    )
  );
};

/** Reads `<stateDir>/posture/lag-history.jsonl` (absent: no points). */
export function readLagHistory(stateDir: string): LagHistoryRead {
  const file = lagHistoryPath(stateDir);
  if (!existsSync(file)) return { file, points: [], skippedLines: 0 };
  const points: LagPoint[] = [];
  let skippedLines = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isPoint(v)) points.push(v);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  points.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { file, points, skippedLines };
}
