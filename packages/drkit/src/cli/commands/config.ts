import { Command } from 'commander';
import { stringify } from 'yaml';
import { cliContext } from '../context.js';

export function configCommand(): Command {
  const cmd = new Command('config').description('the configuration file');
  cmd
    .command('show')
    .description('print the effective config (file + defaults)')
    .action((_o, c: Command) => {
      const { out, loaded } = cliContext(c);
      out.result({ path: loaded.path ?? null, config: loaded.config });
      out.info(
        `# ${loaded.path ?? 'no drkit.config.yaml: lab defaults'}\n${stringify(loaded.config)}`,
      );
    });
  cmd
    .command('validate')
    .description('check the config file; exit 2 naming each bad key')
    .action((_o, c: Command) => {
      const { out, loaded } = cliContext(c);
      out.result({ ok: true, path: loaded.path ?? null });
      out.info(`ok: ${loaded.path ?? 'defaults'}`);
    });
  return cmd;
}
