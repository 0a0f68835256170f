#!/usr/bin/env node
/**
 * The workload generator as its own process (`node dist/lab/workload-main.js`), so drills can
 * run it beside the runbook and kill either independently. Stops cleanly on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { FileSecrets } from '../adapters/file-secrets/index.js';
import { WorkloadGenerator } from './workload.js';

const { values } = parseArgs({
  options: {
    'secrets-dir': { type: 'string' },
    log: { type: 'string' },
    rate: { type: 'string', default: '20' },
    'max-user-id': { type: 'string', default: '100' },
    'front-door': { type: 'string' },
  },
});
if ((!values['secrets-dir'] && !values['front-door']) || !values.log) {
  process.stderr.write(
    'usage: workload-main (--secrets-dir DIR | --front-door URL) --log FILE [--rate N] [--max-user-id N]\n',
  );
  process.exit(2);
}
const gen = new WorkloadGenerator({
  ...(values['secrets-dir'] ? { secrets: new FileSecrets(values['secrets-dir']) } : {}),
  ...(values['front-door'] ? { frontDoor: values['front-door'] } : {}),
  logFile: values.log,
  writesPerSecond: Number(values.rate),
  maxUserId: Number(values['max-user-id']),
});
gen.start();
process.stdout.write('ready\n');
const stop = async () => {
  await gen.stop();
  process.exit(0);
};
// Dies with its drill: a drkit killed with SIGKILL cannot stop us, but we are then
// reparented, and a workload writing on for nobody would skew the next measurement.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop();
}, 500).unref();
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
