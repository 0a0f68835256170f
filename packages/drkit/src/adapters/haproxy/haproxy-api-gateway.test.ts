import { describe, expect, it } from 'vitest';
import { CapabilityError, NotFoundError } from '../../engine/errors.js';
import { HaproxyApiGateway } from './haproxy-api-gateway.js';
import { HaproxyRouter } from './haproxy-router.js';

// a router that was never started: every case below is refused before HAProxy is asked
const router = new HaproxyRouter({
  dir: '/nonexistent/haproxy',
  port: 1,
  servers: [],
  health: { intervalMs: 1000, fall: 3, rise: 2, timeoutMs: 500 },
  primaryRegion: 'a',
});
const api = new HaproxyApiGateway(router);

describe('HaproxyApiGateway', () => {
  it('GIVEN another stage than front-door/api THEN NotFoundError naming the one stage', async () => {
    await expect(api.getThrottle('abc123', 'v2')).rejects.toThrow(NotFoundError);
    await expect(api.getThrottle('abc123', 'v2')).rejects.toThrow(/front-door\/api/);
    expect(() => api.planGetThrottle('front-door', 'v2')).toThrow(NotFoundError);
  });
  it('GIVEN a limit other than 0/0 or none THEN CapabilityError (the front door only isolates or opens)', () => {
    expect(() =>
      api.planSetThrottle('front-door', 'api', { rateLimit: 100, burstLimit: 50 }),
    ).toThrow(CapabilityError);
  });
  it('GIVEN 0/0 THEN the plan is the runtime map switch; none THEN open; the default stage is its one', () => {
    expect(api.planSetThrottle('front-door', 'api', { rateLimit: 0, burstLimit: 0 })[0]).toMatch(
      /set map \/nonexistent\/haproxy\/api-isolation.map api isolated/,
    );
    expect(
      api.planRestoreThrottle('front-door', 'api', { rateLimit: undefined, burstLimit: undefined }),
    ).toEqual([expect.stringMatching(/api open$/)]);
    expect(api.defaultStages).toEqual(['front-door/api']);
  });
});
