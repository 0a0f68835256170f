/**
 * Self-managed PostgreSQL: clusters (initdb/pg_ctl), pgBackRest (archive, backups, PITR) and
 * streaming standbys, behind the {@link Database} port as {@link PgBackRestDatabase}.
 */
export { PgBackRestDatabase } from './pgbackrest-database.js';
export {
  PgClusterManager,
  CLUSTER_ID_RE,
  type PgClusterManagerOptions,
  type CreateClusterOptions,
  type StopMode,
} from './pg-cluster-manager.js';
export {
  ClusterRegistry,
  pgLayout,
  type ClusterRecord,
  type PgLayout,
} from './cluster-registry.js';
export { PgBackRestCli, type PgBackRestCliOptions, type RestoreArgs } from './pgbackrest-cli.js';
export {
  renderPgBackRestConfig,
  type PgBackRestSettings,
  type StanzaSection,
} from './pgbackrest-config.js';
export {
  parsePgBackRestInfo,
  computeWindow,
  earliestRecoverable,
  formatWindow,
  type StanzaInfo,
  type PgBackRestBackup,
} from './pgbackrest-info.js';
export { parseRestoreTarget, formatPgTarget } from '../../util/restore-target.js';
export { planRestore, restoreToTime, type RestorePlan, type PlannedStep } from './pg-restore.js';
export { createStandby, promote, type CreateStandbyOptions } from './pg-standby.js';
export {
  sealArchive,
  latestFromArchive,
  windowFor,
  assertInWindow,
  type SealResult,
} from './recovery-window.js';
export { renderDrkitConf, renderLabHba, type PgServerSettings } from './pg-config.js';
export {
  fence,
  isFenced,
  rejoinAsStandby,
  replicationStatus,
  setSynchronous,
  stopForSwitchover,
  waitForReplay,
  waitStreaming,
} from './pg-replication.js';
export { repointStanza } from './pg-standby.js';
