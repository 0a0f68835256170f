import { PreconditionError, ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { runLoadTest } from '../../../validate/load-test.js';
import { viewApp } from '../../shared/app-endpoint.js';
import type { FullRecoveryDeps, FullRecoveryState } from '../context.js';

/**
 * Seed 003's load test (its k6 run), with thresholds: `loadConnections` connections for
 * `loadSeconds` through the front door, reading profiles and orders that exist in the
 * restored database (so a 404 is an error, not an expected answer) and `/healthz`. Fails when
 * the 99th percentile latency exceeds `maxP99Ms` or the error rate `maxErrorRate`.
 */
export function loadTest(deps: FullRecoveryDeps): Step<FullRecoveryState> {
  return {
    id: 'load-test',
    title: 'Short load test through the front door (latency and error-rate thresholds)',
    timeoutMs: 15 * 60_000,
    plan: ({ state: s }) => [
      `autocannon ${s.frontDoorUrl} -c ${s.loadConnections} -d ${s.loadSeconds}: GET /users/:id, /orders/:id (ids read from the restored database), /healthz; pass when p99 ≤ ${s.maxP99Ms} ms and errors (non-2xx, timeouts, connection errors) ≤ ${(s.maxErrorRate * 100).toFixed(2)}% of requests`,
    ],
    async run({ state: s, progress }) {
      const ep = (await viewApp(deps.secrets, s.appConfigSecret, deps.appSecretFormat)).endpoint;
      if (!ep) throw new PreconditionError(`${s.appConfigSecret} names no database endpoint`);
      const c = await deps.connect(ep);
      let paths: string[];
      try {
        const users = await c.query<{ id: string }>(
          'SELECT id::text FROM users ORDER BY random() LIMIT 100',
        );
        const orders = await c.query<{ id: string }>(
          'SELECT id::text FROM orders ORDER BY random() LIMIT 100',
        );
        paths = [
          ...users.rows.map((r) => `/users/${r.id}`),
          ...orders.rows.map((r) => `/orders/${r.id}`),
          '/healthz',
        ];
      } finally {
        await c.end();
      }
      const r = await runLoadTest({
        base: s.frontDoorUrl,
        paths,
        seconds: s.loadSeconds,
        connections: s.loadConnections,
      });
      const line = `${r.requests} requests in ${r.seconds} s (${r.requestsPerSecond.toFixed(0)}/s), ${r.errors} errors (${(r.errorRate * 100).toFixed(2)}%), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms`;
      progress(line);
      const over = [
        ...(r.p99Ms > s.maxP99Ms ? [`p99 ${r.p99Ms} ms > ${s.maxP99Ms} ms`] : []),
        ...(r.errorRate > s.maxErrorRate
          ? [
              `error rate ${(r.errorRate * 100).toFixed(2)}% > ${(s.maxErrorRate * 100).toFixed(2)}%`,
            ]
          : []),
      ];
      if (over.length)
        throw new ValidationFailedError(
          `load test over its thresholds: ${over.join('; ')} (${line})`,
          {
            hint: 'the restored service is up but slower or failing under load: check the database and the tasks, then `drkit runbook resume`',
            details: { ...r },
          },
        );
      return { load: { ...r, checkedAt: new Date().toISOString() } };
    },
  };
}
