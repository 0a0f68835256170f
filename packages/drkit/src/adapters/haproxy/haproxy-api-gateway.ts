import { CapabilityError, NotFoundError } from '../../engine/errors.js';
import type { ApiGateway, StageThrottle } from '../../ports/api-gateway.js';
import { ISOLATION_EXEMPT } from './haproxy-config.js';
import type { HaproxyRouter } from './haproxy-router.js';

/** The lab's one API "stage": the front door's API routes (`apiId/stage`). */
export const FRONT_DOOR_API = { apiId: 'front-door', stage: 'api' } as const;

const CLOSED: StageThrottle = { rateLimit: 0, burstLimit: 0 };
const OPEN: StageThrottle = { rateLimit: undefined, burstLimit: undefined };

/**
 * The API gateway port on the lab's front door (HAProxy): its one stage,
 * `front-door/api`, is either open (no limit of its own: `undefined`, the "account default")
 * or isolated (rate 0 / burst 0: HAProxy answers 503 to every request but `/healthz` and
 * `/status…`). Only those two settings exist: any other limit is a `CapabilityError`.
 */
export class HaproxyApiGateway implements ApiGateway {
  readonly kind = 'haproxy-front-door';
  readonly capabilities = new Set(['stage-throttling'] as const);
  /** What `security-breach` isolates on the lab when no `apiStages` is given. */
  readonly defaultStages = [`${FRONT_DOOR_API.apiId}/${FRONT_DOOR_API.stage}`];

  constructor(private readonly router: HaproxyRouter) {}

  async getThrottle(apiId: string, stage: string): Promise<StageThrottle> {
    this.known(apiId, stage);
    return (await this.router.apiIsolated()) ? CLOSED : OPEN;
  }

  async setThrottle(apiId: string, stage: string, limits: StageThrottle): Promise<StageThrottle> {
    const before = await this.getThrottle(apiId, stage);
    if (limits.rateLimit === undefined && limits.burstLimit === undefined) return before;
    await this.router.setApiIsolated(this.isolate(limits));
    return before;
  }

  async restoreThrottle(
    apiId: string,
    stage: string,
    limits: StageThrottle,
  ): Promise<StageThrottle> {
    const before = await this.getThrottle(apiId, stage);
    await this.router.setApiIsolated(
      limits.rateLimit === undefined && limits.burstLimit === undefined
        ? false
        : this.isolate(limits),
    );
    return before;
  }

  planGetThrottle(apiId: string, stage: string): string[] {
    this.known(apiId, stage);
    return [`haproxy runtime API (${this.router.socket}): show map ${this.router.apiIsolationMap}`];
  }

  planSetThrottle(apiId: string, stage: string, limits: StageThrottle): string[] {
    this.known(apiId, stage);
    if (limits.rateLimit === undefined && limits.burstLimit === undefined) return [];
    return [
      `${this.router.planSetApiIsolated(this.isolate(limits))}  # 503 to every request but ${[...ISOLATION_EXEMPT.exact, ...ISOLATION_EXEMPT.prefix.map((p) => `${p}…`)].join(', ')}`,
    ];
  }

  planRestoreThrottle(apiId: string, stage: string, limits: StageThrottle): string[] {
    this.known(apiId, stage);
    const open = limits.rateLimit === undefined && limits.burstLimit === undefined;
    return [this.router.planSetApiIsolated(open ? false : this.isolate(limits))];
  }

  /** true for 0/0; the front door has no other limit to set. */
  private isolate(l: StageThrottle): boolean {
    if (l.rateLimit === 0 && (l.burstLimit ?? 0) === 0) return true;
    throw new CapabilityError(
      `the lab front door can only isolate its API (rate 0 / burst 0) or open it, not set rate=${l.rateLimit ?? 'default'} burst=${l.burstLimit ?? 'default'}`,
      {
        hint: 'restore the API with the recorded limits (none: open), or give defaultLimits only on AWS',
      },
    );
  }

  private known(apiId: string, stage: string): void {
    if (apiId !== FRONT_DOOR_API.apiId || stage !== FRONT_DOOR_API.stage)
      throw new NotFoundError(
        `the lab front door has one API stage, ${FRONT_DOOR_API.apiId}/${FRONT_DOOR_API.stage}, not ${apiId}/${stage}`,
        {
          hint: `its one stage is ${FRONT_DOOR_API.apiId}/${FRONT_DOOR_API.stage}`,
        },
      );
  }
}
