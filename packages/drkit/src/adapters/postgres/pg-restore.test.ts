import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../engine/errors.js';
import { PgClusterManager } from './pg-cluster-manager.js';
import { renderDrkitConf } from './pg-config.js';
import { planRestore } from './pg-restore.js';

describe('planRestore (dry-run: reads the registry only)', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  const lab = () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'drkit-plan-'));
    const mgr = new PgClusterManager({ labDir: dir, pgbackrestBin: '/usr/bin/pgbackrest' });
    mgr.registry.put({
      id: 'src',
      dataDir: path.join(dir, 'clusters/src/data'),
      port: 5433,
      superuser: 'postgres',
      role: 'primary',
      stanza: 'src',
      ownsStanza: true,
      origin: 'initdb',
      createdAt: '2024-01-01T00:00:00Z',
    });
    return mgr;
  };

  it('prints the exact pgBackRest restore command into a new directory, with a new stanza', () => {
    const mgr = lab();
    const plan = planRestore(mgr, {
      source: 'src',
      target: new Date('2024-05-01T10:00:00Z'),
      newClusterId: 'pitr',
      port: 6000,
    });
    const restore = plan.steps.find((s) => s.phase === 'restore-files')!.command!;
    expect(restore).toContain(`--stanza=src`);
    expect(restore).toContain(`--pg1-path=${path.join(mgr.layout.clustersDir, 'pitr', 'data')}`);
    expect(restore).toContain("'--target=2024-05-01 10:00:00.000+00'");
    expect(restore).toContain('--type=time');
    expect(restore).toContain('--target-action=promote');
    expect(plan.steps.find((s) => s.phase === 'configure')!.description).toMatch(
      /NEW stanza 'pitr' \(never 'src'\)/,
    );
    expect(plan.steps.map((s) => s.phase)).toEqual([
      'validate',
      'seal-archive',
      'restore-files',
      'configure',
      'replay-wal-promote',
      'first-write',
      'new-stanza',
    ]);
  });

  it('prints the pg_ctl start line as it runs: runuser when root, -w -t 120', () => {
    const mgr = lab();
    const plan = planRestore(mgr, { source: 'src', target: 'latest', newClusterId: 'x' });
    const start = plan.steps.find((s) => s.phase === 'replay-wal-promote')!.command!;
    expect(start).toMatch(/pg_ctl -D \S+ -l \S+ -w -t 120 start$/);
    if (process.geteuid?.() === 0) expect(start).toMatch(/^runuser -u postgres -- /);
    else expect(start).not.toContain('runuser');
  });

  it("uses --type=default for 'latest' and refuses an unknown source", () => {
    const mgr = lab();
    expect(
      planRestore(mgr, { source: 'src', target: 'latest', newClusterId: 'x' }).steps[2]!.command,
    ).toContain('--type=default');
    expect(() => planRestore(mgr, { source: 'nope', target: 'latest', newClusterId: 'x' })).toThrow(
      NotFoundError,
    );
  });
});

describe('renderDrkitConf', () => {
  it('sets the lab settings and turns archiving off without a command', () => {
    const on = renderDrkitConf({
      port: 5999,
      socketDir: '/tmp/lab/sockets',
      archiveCommand: 'pgbackrest --stanza=a archive-push %p',
    });
    expect(on).toMatch(/listen_addresses = '127.0.0.1'/);
    expect(on).toMatch(/wal_level = replica/);
    expect(on).toMatch(/archive_timeout = 10/);
    expect(on).toMatch(
      /archive_mode = on\narchive_command = 'pgbackrest --stanza=a archive-push %p'/,
    );
    expect(renderDrkitConf({ port: 1, socketDir: '/s' })).toMatch(/archive_mode = off/);
  });
});
