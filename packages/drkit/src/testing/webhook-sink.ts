import { createServer } from 'node:http';
import { freePort } from '../util/net.js';

/** One POST the sink received. */
export interface SinkRequest {
  readonly at: number;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/**
 * A real HTTP server on loopback that records every POST (a Slack-compatible webhook's
 * receiving end): what a webhook channel sent, and when. Answers `status` (200 by default).
 */
export async function startWebhookSink(status = 200): Promise<{
  readonly url: string;
  readonly received: SinkRequest[];
  setStatus(s: number): void;
  close(): Promise<void>;
}> {
  const received: SinkRequest[] = [];
  let answer = status;
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      let body: unknown = data;
      try {
        body = JSON.parse(data);
      } catch {
        // kept as text
      }
      received.push({
        at: Date.now(),
        path: req.url ?? '/',
        contentType: req.headers['content-type'],
        body,
      });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/XXXX`,
    received,
    setStatus: (s) => (answer = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
