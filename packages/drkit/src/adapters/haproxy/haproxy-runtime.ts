import net from 'node:net';
import { DrError, PreconditionError } from '../../engine/errors.js';

/**
 * One command on HAProxy's runtime API (the stats socket, non-interactive mode: one command,
 * one answer, then HAProxy closes the connection).
 * @throws PreconditionError when nothing listens on the socket (HAProxy not running)
 */
export async function runtimeCommand(socket: string, command: string, timeoutMs = 2000): Promise<string> {
  return await new Promise((resolve, reject) => {
    const conn = net.createConnection(socket);
    let out = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new DrError('TIMEOUT', `HAProxy runtime API did not answer '${command}' within ${timeoutMs} ms`, { retryable: true }));
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
          new PreconditionError(`the front door (HAProxy) is not running: nothing answers on its runtime socket ${socket}`, {
            hint: 'start the lab front door with `drkit lab up` (or start HAProxy with the lab haproxy.cfg)',
            cause: err,
            details: { socket },
          }),
        );
      } else reject(new DrError('EXTERNAL', `HAProxy runtime API: ${err.message}`, { cause: err, retryable: true }));
    });
  });
}
