import { Command, Option } from 'commander';
import { UsageError } from '../../engine/errors.js';
import { startEscalationWatch } from '../../incidents/escalation-watch.js';
import type { Incident, IncidentDesk } from '../../ports/incidents.js';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../ports/status-page.js';
import type { ProviderName } from '../../config/schema.js';
import { bindProvider } from '../../providers/index.js';
import { cliContext } from '../context.js';
import type { Output } from '../output.js';
import { providerOption } from './runbook.js';

/** The desk of the configured provider, closed after `fn`. */
async function withDesk<T>(
  c: Command,
  o: { provider?: ProviderName },
  fn: (desk: IncidentDesk, out: Output) => Promise<T> | T,
): Promise<T> {
  const { out, loaded } = cliContext(c);
  const p = bindProvider(o.provider ?? loaded.config.provider, loaded.config, loaded.baseDir);
  try {
    return await fn(p.port('incidents'), out);
  } finally {
    p.close();
  }
}

const who = (by: string | undefined) => by ?? process.env.USER ?? 'cli';

function line(i: Incident): string {
  const ack = i.acknowledgedAt
    ? `acked by ${i.acknowledgedBy}`
    : i.escalatesAt
      ? `escalates ${i.escalatesAt}`
      : '';
  return `${i.id}  ${i.level.padEnd(5)} ${i.status.padEnd(13)} ${i.title}${ack ? `  (${ack})` : ''}`;
}

function show(out: Output, i: Incident): void {
  out.result(i);
  out.info(line(i));
  out.info(`opened ${i.openedAt} as ${i.severity}${i.drill ? ' (drill)' : ''}; key ${i.key}`);
  if (i.statusPage) out.info(`status page: ${i.statusPage.kind} incident ${i.statusPage.id}`);
  for (const e of i.timeline)
    out.info(
      `  ${e.at}  ${e.type.padEnd(18)} ${e.who ? `${e.who}${e.channel ? ` via ${e.channel}` : ''}: ` : ''}${e.note}`,
    );
}

/** `drkit incident list|show|ack|update|resolve|watch`: the incidents runbooks declared, for the humans. */
export function incidentCommand(): Command {
  const cmd = new Command('incident').description(
    'incidents the runbooks declared: acknowledge (stops escalation), update, resolve, watch escalations',
  );
  cmd
    .command('list')
    .description('incidents of this state dir, oldest first')
    .option('--open', 'only those not resolved')
    .addOption(providerOption())
    .action(async (o: { open?: boolean; provider?: ProviderName }, c: Command) => {
      await withDesk(c, o, (desk, out) => {
        const all = desk.list().filter((i) => !o.open || i.status !== 'resolved');
        out.result(all);
        if (!all.length) out.info('no incidents');
        for (const i of all) out.info(line(i));
      });
    });
  cmd
    .command('show')
    .description(
      'one incident with its timeline (opened, notified whom, acknowledged, escalated, status changes, resolved)',
    )
    .argument('<id>')
    .addOption(providerOption())
    .action(async (id: string, o: { provider?: ProviderName }, c: Command) => {
      await withDesk(c, o, (desk, out) => show(out, desk.get(id)));
    });
  cmd
    .command('ack')
    .description('acknowledge: nobody else is paged for it')
    .argument('<id>')
    .option('--by <name>', 'who acknowledges (default: $USER)')
    .addOption(providerOption())
    .action(async (id: string, o: { by?: string; provider?: ProviderName }, c: Command) => {
      await withDesk(c, o, async (desk, out) => show(out, await desk.acknowledge(id, who(o.by))));
    });
  cmd
    .command('update')
    .description('post an update (and move the status page)')
    .argument('<id>')
    .requiredOption('-m, --message <text>', 'the update')
    .addOption(
      new Option('--status <status>', 'new status').choices(
        INCIDENT_STATUSES.filter((s) => s !== 'resolved'),
      ),
    )
    .option('--by <name>', 'who posts it (default: $USER)')
    .addOption(providerOption())
    .action(
      async (
        id: string,
        o: { message: string; status?: IncidentStatus; by?: string; provider?: ProviderName },
        c: Command,
      ) => {
        await withDesk(c, o, async (desk, out) =>
          show(
            out,
            await desk.update(id, {
              body: o.message,
              by: who(o.by),
              ...(o.status ? { status: o.status } : {}),
            }),
          ),
        );
      },
    );
  cmd
    .command('resolve')
    .description('resolve: the status page goes back to operational, the current level is told')
    .argument('<id>')
    .requiredOption('-m, --message <text>', 'the closing update')
    .option('--by <name>', 'who resolves it (default: $USER)')
    .addOption(providerOption())
    .action(
      async (
        id: string,
        o: { message: string; by?: string; provider?: ProviderName },
        c: Command,
      ) => {
        await withDesk(c, o, async (desk, out) =>
          show(out, await desk.resolve(id, { body: o.message, by: who(o.by) })),
        );
      },
    );
  cmd
    .command('watch')
    .description('escalate every incident not acknowledged within its response time, until stopped')
    .option('--once', 'evaluate once and exit')
    .option('--for <seconds>', 'stop after this many seconds')
    .addOption(providerOption())
    .action(async (o: { once?: boolean; for?: string; provider?: ProviderName }, c: Command) => {
      const seconds = o.for === undefined ? undefined : Number(o.for);
      if (seconds !== undefined && !(seconds > 0))
        throw new UsageError(`--for '${o.for}' is not a positive number of seconds`, {
          hint: 'e.g. --for 600',
        });
      const { loaded } = cliContext(c);
      await withDesk(c, o, async (desk, out) => {
        const escalated: string[] = [];
        if (o.once) escalated.push(...(await desk.escalateDue()).map((i) => i.id));
        else {
          const w = startEscalationWatch(desk, loaded.config.incidents.watchIntervalMs, {
            onEscalated: (ids) => {
              escalated.push(...ids);
              for (const id of ids) out.progress(`escalated ${line(desk.get(id))}`);
            },
            onError: (err) =>
              out.progress(out.yellow(`escalation check failed: ${(err as Error).message}`)),
          });
          out.progress(
            `watching ${desk.list().filter((i) => i.status !== 'resolved').length} open incident(s); Ctrl-C stops`,
          );
          await new Promise<void>((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
            if (seconds !== undefined) setTimeout(stop, seconds * 1000);
          });
          await w.stop();
        }
        out.result({ escalated });
        out.info(`escalated: ${escalated.length ? escalated.join(', ') : 'none'}`);
      });
    });
  return cmd;
}
