import { GetStageCommand, UpdateStageCommand, type APIGatewayClient, type PatchOperation } from '@aws-sdk/client-api-gateway';
import type { ApiGateway, StageThrottle } from '../../ports/api-gateway.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/** Stage-wide method settings key: every resource path, every method. */
const ALL = '/*/*';

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
    const s = await awsCall({ action: 'apigateway:GetStage', resource: `${apiId}/${stage}` }, () => this.apigw.send(new GetStageCommand({ restApiId: apiId, stageName: stage })));
    const m = s.methodSettings?.[ALL.slice(1)] ?? s.methodSettings?.[ALL];
    return { rateLimit: m?.throttlingRateLimit, burstLimit: m?.throttlingBurstLimit };
  }

  async setThrottle(apiId: string, stage: string, limits: StageThrottle): Promise<StageThrottle> {
    const before = await this.getThrottle(apiId, stage);
    const ops: PatchOperation[] = [];
    if (limits.rateLimit !== undefined) ops.push({ op: 'replace', path: `${ALL}/throttling/rateLimit`, value: String(limits.rateLimit) });
    if (limits.burstLimit !== undefined) ops.push({ op: 'replace', path: `${ALL}/throttling/burstLimit`, value: String(limits.burstLimit) });
    if (ops.length > 0) {
      await awsCall({ action: 'apigateway:UpdateStage', resource: `${apiId}/${stage}` }, () =>
        this.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: stage, patchOperations: ops })),
      );
    }
    return before;
  }
}
