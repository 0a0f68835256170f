import net from 'node:net';
import { DrError, PreconditionError } from '../../engine/errors.js';

/** Options of {@link runtimeCommand}. */
export interface RuntimeCommandOptions {
  /** @default 2000 */
  readonly timeoutMs?: number;
  /** What the HAProxy process is, for errors. @default 'the front door (HAProxy)' */
  readonly what?: string;
  /** Hint when it is not running. @default start the lab front door with `drkit lab up` */
  readonly hint?: string;
}

/**
 * One command on HAProxy's runtime API (the stats socket, non-interactive mode: one command,
 * one answer, then HAProxy closes the connection).
 * @throws PreconditionError when nothing listens on the socket (HAProxy not running)
 */
export async function runtimeCommand(
  socket: string,
  command: string,
  opts: RuntimeCommandOptions = {},
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const what = opts.what ?? 'the front door (HAProxy)';
  return await new Promise((resolve, reject) => {
    const conn = net.createConnection(socket);
    let out = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(
        new DrError(
          'TIMEOUT',
          `HAProxy runtime API did not answer '${command}' within ${timeoutMs} ms`,
          { retryable: true },
        ),
      );
    }, timeoutMs);
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (b: Buffer) => (out += b.toString()));
    conn.on('end', () => {
      clearTimeout(timer);
      resolve(out);
    });
    conn.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        reject(
          new PreconditionError(
            `${what} is not running: nothing answers on its runtime socket ${socket}`,
            {
              hint:
                opts.hint ??
                'start the lab front door with `drkit lab up` (or start HAProxy with the lab haproxy.cfg)',
              cause: err,
              details: { socket },
            },
          ),
        );
      } else
        reject(
          new DrError('EXTERNAL', `HAProxy runtime API: ${err.message}`, {
            cause: err,
            retryable: true,
          }),
        );
    });
  });
}
