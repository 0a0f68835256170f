import path from 'node:path';
import type { PgLayout } from './cluster-registry.js';

/** Repository-wide pgBackRest settings of a lab. */
export interface PgBackRestSettings {
  /** `compress-type`: lz4 is fast and linked into Debian's pgBackRest 2.45. @default 'lz4' */
  readonly compressType?: 'lz4' | 'zst' | 'gz' | 'bz2' | 'none';
  /** `process-max` for backup and restore. @default 2 */
  readonly processMax?: number;
  /**
   * WAL prefetched ahead of replay by a restored cluster's `restore_command`
   * (`--archive-get-queue-max`, MiB); 0 turns prefetch off (one synchronous archive-get per
   * segment). @default 256
   */
  readonly archiveGetQueueMaxMiB?: number;
  /** Segments the prefetch fetches in parallel. @default processMax */
  readonly archiveGetProcessMax?: number;
  /** `repo1-retention-full`: full backups kept (older ones and their WAL expire). @default 2 */
  readonly retentionFull?: number;
}

/** One `[stanza]` section: the cluster a stanza is backed up from. */
export interface StanzaSection {
  readonly stanza: string;
  readonly dataDir: string;
  readonly port: number;
  readonly socketDir: string;
  readonly user: string;
}

/** Renders `pgbackrest.conf` for a lab: repo/log/spool/lock under the lab dir, one section per stanza. */
export function renderPgBackRestConfig(
  layout: PgLayout,
  settings: PgBackRestSettings,
  stanzas: readonly StanzaSection[],
): string {
  const br = layout.pgbackrestDir;
  const out = [
    '# Written by drkit from the cluster registry; regenerated when clusters change.',
    '[global]',
    `repo1-path=${layout.repoPath}`,
    `repo1-retention-full=${settings.retentionFull ?? 2}`,
    `log-path=${path.join(br, 'log')}`,
    `spool-path=${path.join(br, 'spool')}`,
    `lock-path=${path.join(br, 'lock')}`,
    'start-fast=y',
    `compress-type=${settings.compressType ?? 'lz4'}`,
    `process-max=${settings.processMax ?? 2}`,
    'log-level-console=warn',
    'log-level-file=info',
  ];
  for (const s of [...stanzas].sort((a, b) => a.stanza.localeCompare(b.stanza))) {
    out.push(
      '',
      `[${s.stanza}]`,
      `pg1-path=${s.dataDir}`,
      `pg1-port=${s.port}`,
      `pg1-socket-path=${s.socketDir}`,
      `pg1-user=${s.user}`,
    );
  }
  return out.join('\n') + '\n';
}

/** Directories pgBackRest needs, all owned by the server's OS user. */
export function pgBackRestDirs(layout: PgLayout): string[] {
  const br = layout.pgbackrestDir;
  return [br, layout.repoPath, path.join(br, 'log'), path.join(br, 'spool'), path.join(br, 'lock')];
}

/** Stanza names: letters, digits, `-` and `_` (they become directory names in the repo). */
export const STANZA_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
