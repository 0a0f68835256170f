import { DrError, NotFoundError, PreconditionError } from '../../engine/errors.js';
import type { Secrets } from '../../ports/secrets.js';
import type { SecretsManagerSecrets } from './secrets-manager-secrets.js';

/**
 * The secrets port over one secret kept in several regions, for the region runbooks: the app
 * in each region reads its own region's copy, so a failover, switchover or cutback must change
 * every copy it can reach. `put` writes each region's own copy (a replica is skipped: its
 * primary's write reaches it) and tolerates an unreachable region — the regional outage RB-N-01
 * runs in — as long as one copy was written; `get` reads the first region that answers, in
 * the order given (put the usual target region first).
 */
export class MultiRegionSecrets implements Secrets {
  readonly kind = 'aws-secrets-manager';

  constructor(
    private readonly regions: readonly SecretsManagerSecrets[],
    private readonly opts: {
      /**
       * When no copy could be written because the primary copy's region does not answer,
       * promote a replica (StopReplicationToReplica) and write it: a regional failover's
       * secret. @default false
       */
      readonly promoteReplicaWhenPrimaryDown?: boolean;
    } = {},
  ) {
    if (regions.length === 0) throw new Error('MultiRegionSecrets needs at least one region');
  }

  async get(name: string): Promise<Record<string, unknown>> {
    const errors: string[] = [];
    for (const r of this.regions) {
      try {
        return await r.get(name);
      } catch (err) {
        errors.push(`${r.region}: ${(err as Error).message}`);
      }
    }
    throw new NotFoundError(`secret ${name} is readable in no region (${errors.join('; ')})`, {
      hint: 'create it in each region, or as a primary with replicas',
    });
  }

  planGet(name: string): string[] {
    const [first, ...rest] = this.regions.map((r) => r.region);
    return [
      `secretsmanager:GetSecretValue Region=${first} SecretId=${name}  # the first region that answers${rest.length ? ` (then ${rest.join(', ')})` : ''}`,
    ];
  }

  /**
   * One write per region, in order; reads the secret (the first region that answers) to name
   * the fields kept, by name only: the secret may hold a password.
   */
  async planPut(
    name: string,
    set: Readonly<Record<string, string | number | boolean>>,
  ): Promise<string[]> {
    const kept = await this.get(name).then(
      (v) => Object.keys(v).filter((k) => !(k in set)),
      (e: unknown) => [`<secret unreadable: ${(e as Error).message}>`],
    );
    const fields = Object.entries(set)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    const first = this.regions[0]!.region;
    return [
      ...this.planGet(name),
      ...(this.opts.promoteReplicaWhenPrimaryDown
        ? [
            `secretsmanager:StopReplicationToReplica Region=${first} SecretId=${name}  # only if ${first}'s copy is a replica and its primary's region does not answer`,
          ]
        : []),
      ...this.regions.map(
        (r) =>
          `secretsmanager:PutSecretValue Region=${r.region} SecretId=${name} SecretString={${fields}; kept unchanged: ${kept.join(', ') || 'nothing'} (values not shown)}  # skipped if a replica; an unreachable region is tolerated`,
      ),
    ];
  }

  async put(name: string, value: Record<string, unknown>): Promise<void> {
    const written: string[] = [];
    const failed: string[] = [];
    /** Regions that did not answer (not: answered with an error about the secret). */
    const down = new Set<string>();
    const replicas: Array<{ r: SecretsManagerSecrets; primary: string }> = [];
    for (const r of this.regions) {
      try {
        const primary = await r.primaryRegionOf(name);
        if (primary !== undefined) {
          replicas.push({ r, primary });
          continue;
        }
        await r.put(name, value);
        written.push(r.region);
      } catch (err) {
        failed.push(`${r.region}: ${(err as Error).message}`);
        if (
          !(err instanceof DrError) ||
          !['NOT_FOUND', 'ACCESS_DENIED', 'PRECONDITION'].includes(err.code)
        )
          down.add(r.region);
      }
    }
    if (written.length === 0 && this.opts.promoteReplicaWhenPrimaryDown) {
      const orphan = replicas.find((x) => down.has(x.primary));
      if (orphan) {
        try {
          await orphan.r.promoteReplica(name);
        } catch (err) {
          throw new PreconditionError(
            `secret ${name}: its primary region ${orphan.primary} is down and promoting the replica in ${orphan.r.region} failed: ${(err as Error).message}`,
            {
              cause: err,
              hint: `promote it by hand (aws secretsmanager stop-replication-to-replica --secret-id ${name} --region ${orphan.r.region}), then resume`,
            },
          );
        }
        await orphan.r.put(name, value);
        return;
      }
    }
    if (written.length === 0) {
      throw new PreconditionError(
        `secret ${name} could not be written in any region (${failed.join('; ') || 'every copy is a replica'})`,
        {
          hint: "a replica whose primary region is down must be promoted first (secretsmanager:StopReplicationToReplica in the replica's region)",
        },
      );
    }
  }

  async list(): Promise<string[]> {
    const names = new Set<string>();
    for (const r of this.regions) for (const n of await r.list().catch(() => [])) names.add(n);
    return [...names].sort();
  }
}
