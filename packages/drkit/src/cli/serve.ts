import { createServer } from 'node:http';
import { UsageError } from '../engine/errors.js';

/** `--port <n>` as a port number (0 = a free one). @throws UsageError when it is not one */
export function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: '${raw}' is not a port number (0-65535)`);
  return port;
}

/** What one path answers: rendered afresh on each request. */
export type Render = () => Promise<{ readonly contentType: string; readonly body: string }>;

/**
 * Serves `render` on `path` (anything else is a 404) until SIGINT or SIGTERM. `onListening`
 * receives the URL, with the port the system chose when `port` is 0. A render that throws
 * answers 500 with the message.
 */
export async function serveUntilSignal(o: {
  readonly path: string;
  readonly port: number;
  readonly host: string;
  readonly render: Render;
  readonly onListening: (url: string) => void;
}): Promise<void> {
  const server = createServer((req, res) => {
    if (req.url !== o.path) {
      res.writeHead(404).end(`only ${o.path}\n`);
      return;
    }
    o.render()
      .then(({ contentType, body }) =>
        res.writeHead(200, { 'content-type': contentType }).end(body),
      )
      .catch((err: unknown) => res.writeHead(500).end(`${(err as Error).message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  o.onListening(
    `http://${o.host}:${typeof addr === 'object' && addr ? addr.port : o.port}${o.path}`,
  );
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      process.once(sig, () => server.close(() => resolve()));
  });
}
