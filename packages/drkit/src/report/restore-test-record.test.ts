import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readRestoreTestRecord,
  restoreTestLatestPath,
  restoreTestMarkdown,
  restoreTestSamples,
  writeRestoreTestRecord,
  type RestoreTestRecord,
} from './restore-test-record.js';

const failed: RestoreTestRecord = {
  scratchCluster: 'rt-scratch-202612020220-c36c',
  provider: 'lab',
  source: 'region-a',
  startedAt: '2026-12-02T02:20:53.961Z',
  finishedAt: '2026-12-02T02:20:56.100Z',
  target: 'latest',
  newestBackup: '20261202-022014F',
  totalDurationSeconds: 2.139,
  result: 'FAILED',
  reason: 'restore: lz4 error: [-18] ERROR_contentChecksum_invalid',
  checks: [{ name: 'restore', ok: false, enforced: true, detail: 'lz4 error | bad' }],
  scratchRemoved: true,
  reaped: [],
};
const ok: RestoreTestRecord = {
  ...failed,
  result: 'SUCCESSFUL',
  reason: 'restored',
  recoveryPoint: '2026-12-02T02:20:54.000Z',
  restoreDurationSeconds: 6.8,
  checks: [{ name: 'restore', ok: true, enforced: true, detail: 'restored' }],
};

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('restore test record', () => {
  it('GIVEN a FAILED run WHEN written and read back THEN the latest record, its markdown and its gauges say so', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'drkit-rt-'));
    const file = writeRestoreTestRecord(dir, failed);
    const md = readFileSync(file.replace(/\.json$/, '.md'), 'utf8');
    expect(md).toContain('Result: **FAILED** — restore: lz4 error');
    expect(md).toContain('Restore duration: not measured (the restore failed)');
    expect(md).toContain('lz4 error \\| bad'); // a pipe does not break the table
    const read = readRestoreTestRecord(dir);
    expect(read).toEqual({ kind: 'record', file: restoreTestLatestPath(dir), record: failed });
    expect(restoreTestSamples(read).map((s) => [s.name, s.value])).toEqual([
      ['drkit_restore_test_success', 0],
      ['drkit_restore_test_last_run_timestamp_seconds', Date.parse(failed.startedAt) / 1000],
    ]);
  });

  it('GIVEN a SUCCESSFUL run THEN the duration gauge is there', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'drkit-rt-'));
    writeRestoreTestRecord(dir, ok);
    const samples = restoreTestSamples(readRestoreTestRecord(dir));
    expect(samples.find((s) => s.name === 'drkit_restore_test_success')?.value).toBe(1);
    expect(samples.find((s) => s.name === 'drkit_restore_test_duration_seconds')?.value).toBe(6.8);
    expect(restoreTestMarkdown(ok)).toContain('Recovery point: 2026-12-02T02:20:54.000Z');
  });

  it('GIVEN no record or a malformed one THEN none / malformed with the reason, and no gauge', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'drkit-rt-'));
    expect(readRestoreTestRecord(dir).kind).toBe('none');
    writeRestoreTestRecord(dir, ok);
    const file = restoreTestLatestPath(dir);
    writeFileSync(file, JSON.stringify({ ...ok, result: 'MAYBE' }));
    const bad = readRestoreTestRecord(dir);
    expect(bad).toMatchObject({ kind: 'malformed', file });
    expect(bad.kind === 'malformed' && bad.reason).toMatch(/^result: /);
    expect(restoreTestSamples(bad)).toEqual([]);
    writeFileSync(file, '{');
    expect(readRestoreTestRecord(dir)).toMatchObject({ kind: 'malformed' });
  });
});
