#!/usr/bin/env node
/**
 * The workload generator as its own process (`node dist/lab/workload-main.js`), so drills can
 * run it beside the runbook and kill either independently. Stops cleanly on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { FileSecrets } from '../adapters/file-secrets/index.js';
import { CheckoutWorkload } from './checkout-workload.js';
import { PeopleWorkload } from './people-workload.js';
import { WorkloadGenerator } from './workload.js';

const { values } = parseArgs({
  options: {
    'secrets-dir': { type: 'string' },
    log: { type: 'string' },
    rate: { type: 'string', default: '20' },
    'max-user-id': { type: 'string', default: '100' },
    'front-door': { type: 'string' },
    'people-rate': { type: 'string' },
    'max-person-id': { type: 'string' },
    'people-log': { type: 'string' },
    'checkout-rate': { type: 'string' },
    'checkout-log': { type: 'string' },
  },
});
if ((!values['secrets-dir'] && !values['front-door']) || !values.log) {
  process.stderr.write(
    'usage: workload-main (--secrets-dir DIR | --front-door URL) --log FILE [--rate N] [--max-user-id N]\n' +
      '       [--people-rate N --max-person-id N --people-log FILE (with --front-door)]\n' +
      '       [--checkout-rate N --checkout-log FILE (with --front-door)]\n',
  );
  process.exit(2);
}
const peopleRate = Number(values['people-rate'] ?? 0);
if (
  peopleRate > 0 &&
  (!values['front-door'] || !values['people-log'] || !values['max-person-id'])
) {
  process.stderr.write('--people-rate needs --front-door, --max-person-id and --people-log\n');
  process.exit(2);
}
const checkoutRate = Number(values['checkout-rate'] ?? 0);
if (
  !(checkoutRate >= 0) ||
  (checkoutRate > 0 && (!values['front-door'] || !values['checkout-log']))
) {
  process.stderr.write(
    '--checkout-rate takes a number ≥ 0 and needs --front-door and --checkout-log\n',
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
// people change through the app (which keeps their search documents current)
const people =
  peopleRate > 0
    ? new PeopleWorkload({
        frontDoor: values['front-door']!.split(',')[0]!,
        logFile: values['people-log']!,
        perSecond: peopleRate,
        maxPersonId: Number(values['max-person-id']),
      })
    : undefined;
// checkouts through the front door (the app charges at the provider, its webhook pays the order)
const checkouts =
  checkoutRate > 0
    ? new CheckoutWorkload({
        frontDoor: values['front-door']!.split(',')[0]!,
        logFile: values['checkout-log']!,
        perSecond: checkoutRate,
        maxUserId: Number(values['max-user-id']),
      })
    : undefined;
gen.start();
people?.start();
checkouts?.start();
process.stdout.write('ready\n');
const stop = async () => {
  await Promise.all([gen.stop(), people?.stop(), checkouts?.stop()]);
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
