import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { MetricSample } from '../ports/metrics.js';
import { readPostureRecord, writePostureRecord, type PostureRecordRead } from './posture-record.js';

/** One check of a restore test: the restore itself, a table read in full, a smoke query. */
export interface RestoreTestCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was seen (row counts, the error). */
  readonly detail: string;
  /** False for a figure reported but not judged (the restored copy against the live source). */
  readonly enforced: boolean;
}

/** The evidence of one `drkit restore-test` run. */
export interface RestoreTestRecord {
  /** The scratch cluster restored into (removed afterwards). */
  readonly scratchCluster: string;
  readonly provider: string;
  /** The cluster whose backups were restored. */
  readonly source: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** `latest` (end of the archive) or `random` (a point drawn inside the recoverable window). */
  readonly target: 'latest' | 'random';
  /** The point drawn for `random`. */
  readonly requestedPoint?: string;
  /** The recoverable window the point was drawn from (`random`). */
  readonly window?: { readonly earliest: string; readonly latest: string };
  /** The newest backup in the repository when the test started. */
  readonly newestBackup?: string;
  /** The instant the restored copy reached; absent when the restore failed. */
  readonly recoveryPoint?: string;
  /** Request to writable cluster, seconds; absent when the restore failed. */
  readonly restoreDurationSeconds?: number;
  /** The whole test, removal of the scratch cluster included. */
  readonly totalDurationSeconds: number;
  readonly result: 'SUCCESSFUL' | 'FAILED';
  /** Why it failed (the first failing check), or a one-line summary when it succeeded. */
  readonly reason: string;
  readonly checks: ReadonlyArray<RestoreTestCheck>;
  /** True once the scratch cluster, its directory and its stanza are gone. */
  readonly scratchRemoved: boolean;
  /** Scratch clusters of earlier, killed runs removed before this one started. */
  readonly reaped: ReadonlyArray<string>;
}

/** `<stateDir>/posture/restore-tests`: one JSON and one markdown file per run. */
export function restoreTestDir(stateDir: string): string {
  return path.join(stateDir, 'posture', 'restore-tests');
}

/** The newest run: `<stateDir>/posture/restore-test-latest.json` (what metrics and the dashboard read). */
export function restoreTestLatestPath(stateDir: string): string {
  return path.join(stateDir, 'posture', 'restore-test-latest.json');
}

/** The run as a short markdown report. */
export function restoreTestMarkdown(r: RestoreTestRecord): string {
  const row = (c: RestoreTestCheck) =>
    `| ${c.ok ? 'ok' : 'FAILED'} | ${c.name} | ${c.enforced ? 'yes' : 'no (reported)'} | ${c.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`;
  return [
    `# Restore test ${r.result}: ${r.source} → ${r.scratchCluster}`,
    '',
    `- Result: **${r.result}** — ${r.reason}`,
    `- Started ${r.startedAt}, finished ${r.finishedAt} (${r.totalDurationSeconds} s in all)`,
    `- Target: ${r.target}${r.requestedPoint ? ` (${r.requestedPoint}, drawn from ${r.window?.earliest} … ${r.window?.latest})` : ''}`,
    `- Newest backup: ${r.newestBackup ?? 'none'}`,
    `- Recovery point: ${r.recoveryPoint ?? 'not reached'}`,
    `- Restore duration: ${r.restoreDurationSeconds === undefined ? 'not measured (the restore failed)' : `${r.restoreDurationSeconds} s`}`,
    `- Scratch cluster removed: ${r.scratchRemoved ? 'yes' : 'NO'}`,
    ...(r.reaped.length ? [`- Reaped before the run: ${r.reaped.join(', ')}`] : []),
    '',
    '| status | check | enforced | detail |',
    '|---|---|---|---|',
    ...r.checks.map(row),
    '',
  ].join('\n');
}

/**
 * Writes the run's JSON and markdown under {@link restoreTestDir} and replaces the latest
 * record (through a temporary file and a rename: a reader never sees half a record).
 * Returns the JSON file written.
 */
export function writeRestoreTestRecord(stateDir: string, r: RestoreTestRecord): string {
  const dir = restoreTestDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${r.startedAt.replace(/[:.]/g, '-')}-${r.scratchCluster}`);
  const json = JSON.stringify(r, null, 2) + '\n';
  writeFileSync(`${base}.json`, json);
  writeFileSync(`${base}.md`, restoreTestMarkdown(r));
  writePostureRecord(restoreTestLatestPath(stateDir), r);
  return `${base}.json`;
}

const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a time');
const RecordShape = z.object({
  scratchCluster: z.string(),
  provider: z.string(),
  source: z.string(),
  startedAt: time,
  finishedAt: time,
  target: z.enum(['latest', 'random']),
  requestedPoint: time.optional(),
  window: z.object({ earliest: time, latest: time }).optional(),
  newestBackup: z.string().optional(),
  recoveryPoint: time.optional(),
  restoreDurationSeconds: z.number().optional(),
  totalDurationSeconds: z.number(),
  result: z.enum(['SUCCESSFUL', 'FAILED']),
  reason: z.string(),
  checks: z.array(
    z.object({ name: z.string(), ok: z.boolean(), detail: z.string(), enforced: z.boolean() }),
  ),
  scratchRemoved: z.boolean(),
  reaped: z.array(z.string()),
});

/** What {@link readRestoreTestRecord} finds. */
export type RestoreTestRead = PostureRecordRead<RestoreTestRecord>;

/**
 * The newest restore test under `stateDir`: `none` when none ran there, `malformed` with the
 * reason when the file cannot be read as a record.
 */
export function readRestoreTestRecord(stateDir: string): RestoreTestRead {
  return readPostureRecord(
    restoreTestLatestPath(stateDir),
    RecordShape as z.ZodType<RestoreTestRecord>,
  );
}

/**
 * The last restore test as gauges: success (1/0), restore duration (absent when the restore
 * failed: not measured, never 0) and when it ran.
 */
export function restoreTestSamples(read: RestoreTestRead): MetricSample[] {
  if (read.kind !== 'record') return [];
  const r = read.record;
  const labels = { source: r.source, target: r.target };
  return [
    {
      name: 'drkit_restore_test_success',
      help: '1 when the last restore test was SUCCESSFUL, 0 when it FAILED',
      labels,
      value: r.result === 'SUCCESSFUL' ? 1 : 0,
    },
    ...(r.restoreDurationSeconds === undefined
      ? []
      : [
          {
            name: 'drkit_restore_test_duration_seconds',
            help: 'restore duration of the last restore test (request to writable scratch cluster)',
            labels,
            value: r.restoreDurationSeconds,
          },
        ]),
    {
      name: 'drkit_restore_test_last_run_timestamp_seconds',
      help: 'when the last restore test started (Unix time)',
      labels,
      value: Date.parse(r.startedAt) / 1000,
    },
  ];
}
