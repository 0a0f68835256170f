import { Command } from 'commander';
import { labDown, labStatus, labUp } from '../../lab/lab.js';
import { labProvider } from '../../lab/provider.js';
import { cliContext } from '../context.js';

export function labCommand(): Command {
  const cmd = new Command('lab').description('the local lab: region A primary PostgreSQL with pgBackRest, sample app data');

  cmd
    .command('up')
    .description('create (or start again) the lab: cluster, schema, seed data, first full backup')
    .option('--users <n>', 'seed users (orders, payments and messages scale with it)', (v) => Number.parseInt(v, 10))
    .action(async (o: { users?: number }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const p = labProvider(loaded.config, loaded.baseDir, { log: (l) => out.progress(out.dim(`$ ${l}`)) });
      const state = await labUp(p, loaded.config, { ...(o.users !== undefined ? { seed: { users: o.users } } : {}), progress: (m) => out.progress(m) });
      out.result(state);
      out.info(`lab up: primary '${state.primary}', ${state.seeded.orders} orders; state in ${p.paths.stateDir}`);
    });

  cmd
    .command('status')
    .description('clusters, their roles, and where the app points')
    .action(async (_o, c: Command) => {
      const { out, loaded } = cliContext(c);
      const s = await labStatus(labProvider(loaded.config, loaded.baseDir));
      out.result(s);
      if (!s.lab) out.info('no lab (run `drkit lab up`)');
      for (const cl of s.clusters) out.info(`${cl.id.padEnd(24)} port ${cl.port}  ${cl.running ? out.green('running') : out.dim('stopped')}  ${cl.role}  ${out.dim(cl.origin)}`);
      if (s.appConfig) out.info(`app -> ${s.appConfig.dbClusterId} (port ${s.appConfig.port})${s.appConfig.global_readonly ? out.yellow(' [global_readonly]') : ''}`);
    });

  cmd
    .command('down')
    .description('stop every lab cluster (--destroy also deletes the lab state)')
    .option('--destroy', 'delete clusters, backups and lab secrets')
    .action(async (o: { destroy?: boolean }, c: Command) => {
      const { out, loaded } = cliContext(c);
      await labDown(labProvider(loaded.config, loaded.baseDir), { destroy: o.destroy ?? false, progress: (m) => out.progress(m) });
      out.result({ ok: true, destroyed: o.destroy ?? false });
      out.info(o.destroy ? 'lab destroyed' : 'lab stopped');
    });
  return cmd;
}
