import { createServer, type Server } from 'node:http';
import { renderStatusHtml, type LabStatusPage } from '../adapters/lab-status-page/index.js';

/**
 * The lab's status page over HTTP: `GET /status` (HTML), `GET /api/v2/summary.json` (Statuspage's
 * public summary shape) and `GET /healthz`. It only reads the page file the runbooks write
 * through the status page port, so it keeps answering whatever the app and its API do.
 */
export async function startStatusPageServer(opts: {
  readonly page: LabStatusPage;
  readonly port: number;
  readonly host?: string;
  /** The public URL named in the summary (the front door's). @default the server's own */
  readonly publicUrl?: string;
}): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host}:${opts.port}`;
  const server = createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (p === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      else if (p === '/api/v2/summary.json')
        res
          .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(JSON.stringify(opts.page.summary(opts.publicUrl ?? url)));
      else if (p === '/status' || p === '/status/')
        res
          .writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
          })
          .end(renderStatusHtml(opts.page.summary(opts.publicUrl ?? url)));
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  return {
    server,
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
