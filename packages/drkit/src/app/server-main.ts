#!/usr/bin/env node
/**
 * One task of the sample app as its own process:
 * `node dist/app/server-main.js --port N --secrets-dir DIR --region a --task a-1`.
 * Prints `ready` once listening; stops cleanly on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { FileSecrets } from '../adapters/file-secrets/index.js';
import { createAppServer } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'secrets-dir': { type: 'string' },
    region: { type: 'string' },
    task: { type: 'string' },
    secret: { type: 'string', default: 'drkit/app' },
  },
});
if (!values.port || !values['secrets-dir'] || !values.region || !values.task) {
  process.stderr.write(
    'usage: server-main --port N --secrets-dir DIR --region R --task T [--secret NAME]\n',
  );
  process.exit(2);
}
const { server, db, cache } = createAppServer({
  secrets: new FileSecrets(values['secrets-dir']),
  secretName: values.secret!,
  region: values.region,
  task: values.task,
});
server.listen(Number(values.port), '127.0.0.1', () => process.stdout.write('ready\n'));
const stop = () => {
  server.close();
  server.closeAllConnections();
  void Promise.all([db.close(), cache.close()]).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
