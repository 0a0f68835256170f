import {
  GetStageCommand,
  UpdateStageCommand,
  type APIGatewayClient,
  type MethodSetting,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import type { ApiGateway, StageThrottle } from '../../ports/api-gateway.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/** Stage-wide method settings key: every resource path, every method. */
const ALL = '/*/*';

/** API Gateway's value for "no stage limit": the account-level throttle applies. */
const UNSET = -1;

/**
 * The API gateway port on API Gateway REST APIs. Throttling lives in the stage-wide method
 * settings (every resource, every method): seed 003's `update-stage` throttling patch, with
 * the method-settings key (star/star) in front of `throttling/rateLimit` and
 * `throttling/burstLimit`.
 */
export class ApiGatewayStages implements ApiGateway {
  readonly kind = 'aws-apigateway';
  readonly capabilities: ReadonlySet<'stage-throttling'> = new Set(['stage-throttling' as const]);
  private readonly apigw: APIGatewayClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.apigw = opts.clients.apigateway(opts.region);
  }

  async getThrottle(apiId: string, stage: string): Promise<StageThrottle> {
    return throttleOf(await this.stageWide(apiId, stage));
  }

  async setThrottle(apiId: string, stage: string, limits: StageThrottle): Promise<StageThrottle> {
    const before = await this.getThrottle(apiId, stage);
    await this.update(apiId, stage, setOps(limits));
    return before;
  }

  planGetThrottle(apiId: string, stage: string): string[] {
    return [`apigateway:GetStage restApiId=${apiId} stageName=${stage}`];
  }

  planSetThrottle(apiId: string, stage: string, limits: StageThrottle): string[] {
    const ops = setOps(limits);
    return ops.length === 0 ? [] : [updateText(apiId, stage, ops)];
  }

  /**
   * Always names the remove of a full restore to the account default: whether the stage-wide
   * setting holds metrics, logging or caching (the remove is then skipped) is read at run time.
   */
  planRestoreThrottle(apiId: string, stage: string, limits: StageThrottle): string[] {
    const clearAll = limits.rateLimit === undefined && limits.burstLimit === undefined;
    const ops = restoreOps(limits);
    if (clearAll) ops.push({ op: 'remove', path: ALL });
    return [
      `${updateText(apiId, stage, ops)}${clearAll ? "  # back to the account default: the stage's own limits are removed (the remove is skipped while metrics, logging or caching are set there)" : ''}`,
    ];
  }

  /**
   * A limit to drop is set to -1 (API Gateway's "not set"). When both go and the stage-wide
   * setting holds nothing else (no metrics, logging or caching turned on), the setting itself
   * is removed (`op: remove` on the star/star path), so GetStage reads as it did before the
   * first limit was set.
   */
  async restoreThrottle(
    apiId: string,
    stage: string,
    limits: StageThrottle,
  ): Promise<StageThrottle> {
    const m = await this.stageWide(apiId, stage);
    const before = throttleOf(m);
    const clearAll = limits.rateLimit === undefined && limits.burstLimit === undefined;
    // no stage-wide setting is already "account default"; AWS refuses to remove a missing one
    if (clearAll && !m) return before;
    const ops = restoreOps(limits);
    // in order (UpdateStage applies patch operations as listed); moto 5.2 ignores the remove
    // and keeps the -1s, which read back as "account default" all the same
    if (clearAll && !holdsOtherSettings(m!)) ops.push({ op: 'remove', path: ALL });
    await this.update(apiId, stage, ops);
    return before;
  }

  private async stageWide(apiId: string, stage: string): Promise<MethodSetting | undefined> {
    const s = await awsCall({ action: 'apigateway:GetStage', resource: `${apiId}/${stage}` }, () =>
      this.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: stage })),
    );
    return s.methodSettings?.[ALL.slice(1)] ?? s.methodSettings?.[ALL];
  }

  private async update(apiId: string, stage: string, ops: PatchOperation[]): Promise<void> {
    if (ops.length === 0) return;
    await awsCall({ action: 'apigateway:UpdateStage', resource: `${apiId}/${stage}` }, () =>
      this.apigw.send(
        new UpdateStageCommand({ restApiId: apiId, stageName: stage, patchOperations: ops }),
      ),
    );
  }
}

function replace(limit: 'rateLimit' | 'burstLimit', value: number): PatchOperation {
  return { op: 'replace', path: `${ALL}/throttling/${limit}`, value: String(value) };
}

/** What `setThrottle` replaces: the limits given, no other. */
function setOps(limits: StageThrottle): PatchOperation[] {
  const ops: PatchOperation[] = [];
  if (limits.rateLimit !== undefined) ops.push(replace('rateLimit', limits.rateLimit));
  if (limits.burstLimit !== undefined) ops.push(replace('burstLimit', limits.burstLimit));
  return ops;
}

/** What `restoreThrottle` replaces: both limits, a dropped one as -1 ("not set"). */
function restoreOps(limits: StageThrottle): PatchOperation[] {
  return [
    replace('rateLimit', limits.rateLimit ?? UNSET),
    replace('burstLimit', limits.burstLimit ?? UNSET),
  ];
}

/** The UpdateStage call as dry-run text, its patch operations in the order they are sent. */
function updateText(apiId: string, stage: string, ops: readonly PatchOperation[]): string {
  const shown = ops.map(
    (o) => `{op:${o.op},path:${o.path}${o.value !== undefined ? `,value:${o.value}` : ''}}`,
  );
  return `apigateway:UpdateStage restApiId=${apiId} stageName=${stage} patchOperations=[${shown.join(',')}]`;
}

/** A negative limit is API Gateway's "not set": the account default. */
function throttleOf(m: MethodSetting | undefined): StageThrottle {
  const own = (v: number | undefined) => (v === undefined || v < 0 ? undefined : v);
  return { rateLimit: own(m?.throttlingRateLimit), burstLimit: own(m?.throttlingBurstLimit) };
}

/** Settings someone turned on besides throttling: removing the stage-wide setting would drop them. */
function holdsOtherSettings(m: MethodSetting): boolean {
  return !!(
    m.metricsEnabled ||
    m.dataTraceEnabled ||
    m.cachingEnabled ||
    (m.loggingLevel && m.loggingLevel !== 'OFF')
  );
}
