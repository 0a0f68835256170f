import { CapabilityError, UsageError } from '../../engine/errors.js';
import type { BackupInfo, BackupType, ClusterInfo, Database, DatabaseCapability, RecoverableWindow, RestoreResult } from '../../ports/database.js';
import type { RdsDatabase } from './rds-database.js';

/**
 * The database port over two regions' RDS adapters, for the region runbooks: each call goes to
 * the region its cluster lives in (`clusters` maps cluster id → region). A cross-region move
 * names a cluster in A and one in B; this keeps the runbook provider-neutral.
 */
export class RegionalRdsDatabase implements Database {
  readonly kind = 'aws-rds';
  readonly capabilities: ReadonlySet<DatabaseCapability> = new Set<DatabaseCapability>(['replicas', 'promote', 'snapshots', 'backups']);

  constructor(private readonly opts: { readonly byRegion: Readonly<Record<string, RdsDatabase>>; readonly clusters: Readonly<Record<string, string>> }) {}

  /** The RDS adapter of the region `clusterId` lives in. @throws UsageError */
  of(clusterId: string): RdsDatabase {
    const region = this.opts.clusters[clusterId];
    const db = region ? this.opts.byRegion[region] : undefined;
    if (!db) {
      throw new UsageError(`cluster ${clusterId} is not one of the configured region clusters`, {
        hint: `configured: ${Object.entries(this.opts.clusters).map(([c, r]) => `${c} (${r})`).join(', ') || 'none'}: set aws.regions.a.dbCluster and aws.regions.b.dbCluster`,
      });
    }
    return db;
  }

  describe(clusterId: string): Promise<ClusterInfo> {
    return this.of(clusterId).describe(clusterId);
  }

  recoverableWindow(clusterId: string): Promise<RecoverableWindow> {
    return this.of(clusterId).recoverableWindow(clusterId);
  }

  // RB-N-01's fallback would restore region A's backup while region A is down: RDS cannot
  // restore a cluster's point in time into another region, so it is refused, not improvised.
  restoreToTime(): Promise<RestoreResult> {
    return Promise.reject(
      new CapabilityError('no usable replica in the target region, and RDS cannot restore another region\'s cluster to a point in time', {
        hint: 'restore the latest snapshot copied to the target region (RdsDatabase.restoreFromSnapshot), then rerun with the new cluster as aws.regions.b.dbCluster',
      }),
    );
  }

  backup(clusterId: string, opts?: { type?: BackupType; label?: string }): Promise<BackupInfo> {
    return this.of(clusterId).backup(clusterId, opts);
  }

  listBackups(clusterId: string): Promise<BackupInfo[]> {
    return this.of(clusterId).listBackups(clusterId);
  }

  promote(clusterId: string): Promise<{ readonly durationMs: number }> {
    return this.of(clusterId).promote(clusterId);
  }

  stop(clusterId: string): Promise<void> {
    return this.of(clusterId).stop(clusterId);
  }
}
