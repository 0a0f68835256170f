import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { NotFoundError, StepTimeoutError, UsageError } from '../../engine/errors.js';
import type { Compute, TaskInfo } from '../../ports/compute.js';
import type { AwsClients } from './clients.js';
import { awsCall, awsErrorName, translateAwsError } from './errors.js';

/** The ECS service that runs the application in one region. */
export interface EcsServiceRef {
  readonly cluster: string;
  readonly service: string;
}

/** The compute port on ECS services, one per region (seed 004: scale B's warm service up). */
export class EcsCompute implements Compute {
  readonly kind = 'aws-ecs';

  constructor(
    private readonly opts: {
      readonly clients: AwsClients;
      readonly services: Readonly<Record<string, EcsServiceRef>>;
    },
  ) {}

  async tasks(region: string): Promise<TaskInfo[]> {
    const { ecs, ref } = this.of(region);
    const list = await awsCall(
      { action: 'ecs:ListTasks', resource: `${ref.cluster}/${ref.service}` },
      () => ecs.send(new ListTasksCommand({ cluster: ref.cluster, serviceName: ref.service })),
    );
    if (!list.taskArns?.length) return [];
    const out = await awsCall({ action: 'ecs:DescribeTasks', resource: ref.cluster }, () =>
      ecs.send(new DescribeTasksCommand({ cluster: ref.cluster, tasks: list.taskArns })),
    );
    return (out.tasks ?? []).map((t) => {
      const ip = t.attachments
        ?.flatMap((a) => a.details ?? [])
        .find((d) => d.name === 'privateIPv4Address')?.value;
      const port = t.containers?.[0]?.networkBindings?.[0]?.containerPort;
      return {
        id: t.taskArn?.split('/').pop() ?? '',
        region,
        address: ip ? `${ip}${port ? `:${port}` : ''}` : '',
        running: t.lastStatus === 'RUNNING',
        // without a container health check ECS reports UNKNOWN: a running task then counts
        healthy: t.lastStatus === 'RUNNING' && t.healthStatus !== 'UNHEALTHY',
      };
    });
  }

  /** Desired, running and pending task counts of a region's service. */
  async counts(region: string): Promise<{ desired: number; running: number; pending: number }> {
    const { ecs, ref } = this.of(region);
    const out = await awsCall(
      { action: 'ecs:DescribeServices', resource: `${ref.cluster}/${ref.service}` },
      () =>
        ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] })),
    );
    const s = out.services?.[0];
    if (!s || s.status === 'INACTIVE')
      throw new NotFoundError(`ECS service ${ref.cluster}/${ref.service} not found in ${region}`);
    return {
      desired: s.desiredCount ?? 0,
      running: s.runningCount ?? 0,
      pending: s.pendingCount ?? 0,
    };
  }

  /** The call {@link counts} makes (for dry-run). */
  planCounts(region: string): string[] {
    const { ref } = this.of(region);
    return [`ecs:DescribeServices Region=${region} cluster=${ref.cluster} services=${ref.service}`];
  }

  /** The calls {@link scale} makes (for dry-run), with the service's current counts. Read-only. */
  async planScale(region: string, count: number): Promise<string[]> {
    const { ref } = this.of(region);
    const now = await this.counts(region);
    return [
      `ecs:UpdateService Region=${region} cluster=${ref.cluster} service=${ref.service} desiredCount=${count}  # now desired ${now.desired}, running ${now.running}`,
      `ecs:wait services-stable cluster=${ref.cluster} services=${ref.service}`,
    ];
  }

  async scale(
    region: string,
    count: number,
    opts: { readonly timeoutMs?: number } = {},
  ): Promise<TaskInfo[]> {
    const { ecs, ref } = this.of(region);
    await this.counts(region); // NotFoundError before changing anything
    await awsCall({ action: 'ecs:UpdateService', resource: `${ref.cluster}/${ref.service}` }, () =>
      ecs.send(
        new UpdateServiceCommand({
          cluster: ref.cluster,
          service: ref.service,
          desiredCount: count,
        }),
      ),
    );
    const maxWaitTime = Math.ceil((opts.timeoutMs ?? 15 * 60_000) / 1000);
    try {
      await waitUntilServicesStable(
        { client: ecs, maxWaitTime, minDelay: 5 },
        { cluster: ref.cluster, services: [ref.service] },
      );
    } catch (err) {
      if (awsErrorName(err) === 'TimeoutError') {
        throw new StepTimeoutError(
          `ECS service ${ref.service} in ${region} not stable at ${count} tasks within ${maxWaitTime} s`,
          { cause: err },
        );
      }
      throw translateAwsError(err, { action: 'ecs:wait services-stable', resource: ref.service });
    }
    return await this.tasks(region);
  }

  private of(region: string): { ecs: ECSClient; ref: EcsServiceRef } {
    const ref = this.opts.services[region];
    if (!ref) throw new UsageError(`no ECS service configured for region ${region}`);
    return { ecs: this.opts.clients.ecs(region), ref };
  }
}
