import autocannon from 'autocannon';

/** Options of {@link runLoadTest}. */
export interface LoadTestOptions {
  /** The front door, e.g. `http://127.0.0.1:8080`. */
  readonly base: string;
  /** Paths requested in turn by each connection (GET). */
  readonly paths: readonly string[];
  readonly seconds: number;
  readonly connections: number;
  /** Seconds before a request counts as a timeout (an error). @default 5 */
  readonly timeoutSeconds?: number;
}

/** What a load test measured (see {@link runLoadTest} for each figure's definition). */
export interface LoadTestResult {
  /** Requests sent: answered ones plus those that failed without an answer. */
  readonly requests: number;
  /** Answers outside 2xx plus requests with no answer (connection errors, timeouts). */
  readonly errors: number;
  /** errors / requests (1 when nothing was sent). */
  readonly errorRate: number;
  /** Latency percentiles of answered requests, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly requestsPerSecond: number;
  readonly seconds: number;
  readonly connections: number;
}

/**
 * A short load test through the front door with autocannon (programmatic): `connections`
 * keep-alive connections for `seconds`, each cycling through `paths`. Figures: `requests` is
 * every request sent (answered + failed: autocannon's `requests.total` + `errors`, timeouts
 * included); `errors` counts non-2xx answers and failures; latency percentiles are those of
 * the answered requests (a failed request has no latency: the error rate carries it).
 */
export async function runLoadTest(o: LoadTestOptions): Promise<LoadTestResult> {
  let i = 0;
  const r = await autocannon({
    url: o.base,
    connections: o.connections,
    duration: o.seconds,
    timeout: o.timeoutSeconds ?? 5,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: o.paths[i++ % o.paths.length]! }),
      },
    ],
  });
  const requests = r.requests.total + r.errors;
  const errors = r.non2xx + r.errors;
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 1 : errors / requests,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    requestsPerSecond: requests / o.seconds,
    seconds: o.seconds,
    connections: o.connections,
  };
}
