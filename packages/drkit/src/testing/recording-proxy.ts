import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through a {@link RecordingProxy}. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/bucket?versions&prefix=img%2F`. */
  readonly url: string;
}

/** A pass-through HTTP proxy in front of an endpoint that records each request. */
export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: give it to the client instead of the target. */
  readonly endpoint: string;
  /** Every request so far, in arrival order. */
  readonly requests: ReadonlyArray<ProxiedRequest>;
  stop(): Promise<void>;
}

/**
 * Starts a loopback proxy that forwards every request unchanged to `target` (e.g. the moto
 * server) and records its method and URL: how a test counts the calls a CLI process made —
 * e.g. the ListObjectVersions pages of a restore — without any hook in the code under test.
 * For tests only.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const up = http.request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
