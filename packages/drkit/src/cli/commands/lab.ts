import { Command } from 'commander';
import { labStatus } from '../../lab/lab.js';
import { describeDelayed } from '../../lab/delayed-standby.js';
import { labDown } from '../../lab/lab-down.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  LAB_APP_FUNCTION,
  appReleases,
  labUpRegions,
  readTopology,
  regionProvider,
} from '../../lab/regions.js';
import { labProvider } from '../../lab/provider.js';
import { readLabCache, redisPid } from '../../lab/cache-lab.js';
import { NotFoundError, UsageError } from '../../engine/errors.js';
import { labAlertingStatus, labUpAlerting, readLabAlerting } from '../../lab/alerting.js';
import { labUpPayments, localstripePid, readLabPayments } from '../../lab/payments-lab.js';
import { labSearchStatus, labUpSearch, readLabSearch, searchUrl } from '../../lab/search-lab.js';
import { orphanedDrills, reapOrphanedDrills } from '../../drills/drill-owner.js';
import { cliContext } from '../context.js';

export function labCommand(): Command {
  const cmd = new Command('lab').description(
    'the local two-region lab: A primary PostgreSQL with pgBackRest, B streaming standby through the WAN (its own HAProxy), sample app tasks, HAProxy front door',
  );

  cmd
    .command('up')
    .description(
      'create (or start again) the lab: primary, schema, seed data, first full backup, region B standby, app tasks, front door',
    )
    .option('--users <n>', 'seed users (orders, payments and messages scale with it)', (v) =>
      Number.parseInt(v, 10),
    )
    .option(
      '--search',
      'also search: the search schema and seed, a Typesense server per region, an initial index of region A by RB-N-04, the app config pointed at it',
    )
    .option(
      '--alerting',
      "also alerting: Prometheus (scraping drkit's metrics and the front door's HAProxy exporter, evaluating ops/prometheus/rules.yml), Alertmanager, and drkit's alert receiver handing alerts to the notifier",
    )
    .option(
      '--payments',
      "also payments: the payments tables in the app's database, localstripe on loopback with its webhook delivered to the front door's /webhooks/stripe, the app config's payments section",
    )
    .option('--people <n>', 'with --search: people seeded (studios a tenth, work a half)', (v) =>
      Number.parseInt(v, 10),
    )
    .option(
      '--delayed-standby',
      "also region B's delayed standby (lab.regions.delayedStandby.applyDelaySeconds late, default 1 h): RB-N-02 restores a target in its window in seconds; never a failover target",
    )
    .action(
      async (
        o: {
          users?: number;
          search?: boolean;
          people?: number;
          alerting?: boolean;
          payments?: boolean;
          delayedStandby?: boolean;
        },
        c: Command,
      ) => {
        const { out, loaded } = cliContext(c);
        await reapOrphanedDrills(loaded.config, loaded.baseDir, (m) => out.progress(m));
        const p = labProvider(loaded.config, loaded.baseDir, {
          log: (l) => out.progress(out.dim(`$ ${l}`)),
        });
        if (o.people !== undefined && !o.search)
          throw new UsageError('--people is for --search', { hint: 'add --search' });
        if (
          o.people !== undefined &&
          !(Number.isInteger(o.people) && o.people >= 10 && o.people <= 5_000_000)
        )
          throw new UsageError(`--people ${o.people}: give a whole number from 10 to 5000000`);
        const { lab: state, regions } = await labUpRegions(p, loaded.config, {
          ...(o.users !== undefined ? { seed: { users: o.users } } : {}),
          ...(o.delayedStandby ? { delayedStandby: true } : {}),
          progress: (m) => out.progress(m),
        });
        // a lab that has search gets its servers started again, with or without --search
        const search =
          o.search || readLabSearch(p)
            ? await labUpSearch(p, loaded.config, {
                baseDir: loaded.baseDir,
                ...(o.people !== undefined ? { people: o.people } : {}),
                progress: (m) => out.progress(m),
              })
            : undefined;
        // a lab that has payments gets localstripe started again, with or without --payments
        const payments =
          o.payments || readLabPayments(p)
            ? await labUpPayments(p, loaded.config, { progress: (m) => out.progress(m) })
            : undefined;
        // a lab that has alerting gets it started again, with or without --alerting
        const alerting =
          o.alerting || readLabAlerting(p)
            ? await labUpAlerting(p, loaded.config, {
                baseDir: loaded.baseDir,
                ...(regions.topology.frontDoorMetricsPort
                  ? { haproxyMetricsPort: regions.topology.frontDoorMetricsPort }
                  : {}),
                progress: (m) => out.progress(m),
              })
            : undefined;
        out.result({
          ...state,
          ...(search ? { search } : {}),
          ...(alerting ? { alerting } : {}),
          ...(payments ? { payments } : {}),
          topology: regions.topology,
          frontDoor: regions.router.url,
          ...(regions.wan
            ? { wan: { config: regions.wan.configFile, log: regions.wan.logFile } }
            : {}),
        });
        out.info(
          `lab up: primary '${state.primary}', ${state.seeded.orders} orders; front door ${regions.router.url}; state in ${p.paths.stateDir}`,
        );
        if (search)
          out.info(
            `search: ${search.people} people, alias '${search.alias}'; ${search.servers.map((s) => `region ${s.region} ${searchUrl(s)}`).join(', ')}`,
          );
        if (payments)
          out.info(
            `payments: localstripe ${payments.apiBase}, webhooks delivered to ${payments.webhookUrl}`,
          );
        if (alerting)
          out.info(
            `alerting: Prometheus http://127.0.0.1:${alerting.prometheusPort}, Alertmanager http://127.0.0.1:${alerting.alertmanagerPort}; alerts received in ${alerting.alertsFile}`,
          );
      },
    );

  cmd
    .command('status')
    .description('clusters, their roles, and where the app points')
    .action(async (_o, c: Command) => {
      const { out, loaded } = cliContext(c);
      const p = labProvider(loaded.config, loaded.baseDir);
      const s = await labStatus(p);
      // Everything the human lines show is in the JSON document too (front door, WAN).
      const doc: Record<string, unknown> = {
        ...s,
        orphanedDrills: orphanedDrills(loaded.config, loaded.baseDir),
      };
      const lines: string[] = [];
      if (!s.lab) lines.push('no lab (run `drkit lab up`)');
      for (const cl of s.clusters)
        lines.push(
          `${cl.id.padEnd(24)} port ${cl.port}  ${cl.running ? out.green('running') : out.dim('stopped')}  ${cl.role}  ${out.dim(cl.origin)}`,
        );
      for (const d of s.delayedStandbys) lines.push(`delayed standby ${describeDelayed(d)}`);
      if (readTopology(p)) {
        const r = regionProvider(p);
        const replication = await replicationOf(p);
        doc.replication = replication;
        for (const [primary, rep] of Object.entries(replication))
          lines.push(`replication from ${primary}: ${rep}`);
        try {
          const st = await r.router.status();
          doc.frontDoor = { url: r.router.url, ...st };
          lines.push(
            `front door ${r.router.url} -> region ${st.activeRegion ?? 'NONE'}: ${st.targets.map((t) => `${t.name}${t.backup ? '(backup)' : ''}=${t.admin}/${t.health}`).join(' ')}`,
          );
        } catch (err) {
          doc.frontDoor = { url: r.router.url, error: (err as Error).message };
          lines.push(`front door: ${(err as Error).message}`);
        }
        if (r.wan) {
          try {
            const links = await r.wan.status();
            doc.wan = { pid: r.wan.pid(), links };
            lines.push(
              `WAN (pid ${r.wan.pid()}): ${links.map((l) => `${l.name} ${l.listen} -> ${l.to} ${l.state}`).join(', ')}`,
            );
          } catch (err) {
            doc.wan = { error: (err as Error).message };
            lines.push(`WAN: ${(err as Error).message}`);
          }
        }
      }
      const search = await labSearchStatus(p);
      if (search) {
        doc.search = search;
        for (const s of search)
          lines.push(
            `search ${s.region} ${s.url} ${s.running ? `running (pid ${s.pid})` : 'stopped'}${s.aliasTarget ? ` ${s.alias} -> ${s.aliasTarget} (${s.documents ?? '?'} docs)` : s.running ? ` no alias '${s.alias}'` : ''}${s.servesApp ? ' [app]' : ''}`,
          );
      }
      const cache = readLabCache(p);
      if (cache) {
        const pid = redisPid(p);
        doc.cache = { ...cache, pid: pid ?? null };
        lines.push(
          `cache: redis 127.0.0.1:${cache.port} ${pid !== undefined ? `running (pid ${pid})` : 'stopped'}, app keys under '${cache.prefix}'`,
        );
      }
      const payments = readLabPayments(p);
      if (payments) {
        const pid = localstripePid(p);
        doc.payments = { ...payments, pid: pid ?? null };
        lines.push(
          `payments: localstripe ${payments.apiBase} ${pid !== undefined ? `running (pid ${pid})` : 'stopped'}, webhooks to ${payments.webhookUrl}`,
        );
      }
      const alerting = await labAlertingStatus(p);
      if (alerting) {
        doc.alerting = alerting;
        lines.push(
          `alerting: ${alerting.processes.map((x) => `${x.name} ${x.url} ${x.pid !== undefined ? `running (pid ${x.pid})` : 'stopped'}`).join(', ')}`,
        );
        lines.push(
          'error' in alerting.alerts
            ? `alerts: ${alerting.alerts.error}`
            : `alerts: ${alerting.alerts.map((x) => `${x.labels.alertname}${x.labels.cluster ? `(${x.labels.cluster})` : ''} ${x.state} since ${x.activeAt}`).join(', ') || 'none'}`,
        );
      }
      out.result(doc);
      for (const l of lines) out.info(l);
      if (s.appConfig)
        out.info(
          `app -> ${s.appConfig.dbClusterId} (port ${s.appConfig.port})${s.appConfig.global_readonly ? out.yellow(' [global_readonly]') : ''}`,
        );
    });

  cmd
    .command('release')
    .description(
      "publish the sample app's build as the next release (a copy of dist/ with its code hash); the first becomes `live`, the release the app tasks run. function-rollback --param functions=app moves `live` back",
    )
    .option('--from <dir>', 'a built dist/ directory to publish instead of this one')
    .option('--description <text>', 'what the release is')
    .action(async (o: { from?: string; description?: string }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const p = labProvider(loaded.config, loaded.baseDir);
      if (!readTopology(p))
        throw new NotFoundError(`no two-region lab in ${p.paths.stateDir}`, {
          hint: 'run `drkit lab up` first',
        });
      if (o.from !== undefined && !existsSync(path.join(o.from, 'app', 'server-main.js')))
        throw new UsageError(`--from ${o.from}: no app/server-main.js in it`, {
          hint: 'give a built drkit dist/ directory (npm run build -w packages/drkit)',
        });
      const rel = appReleases(p);
      const v = rel.publish({
        ...(o.from !== undefined ? { from: o.from } : {}),
        ...(o.description !== undefined ? { description: o.description } : {}),
      });
      const live = (await rel.getAlias(LAB_APP_FUNCTION, 'live')).version;
      out.result({ ...v, live });
      out.info(
        `release ${v.version} published (code ${v.codeSha256.slice(0, 12)}…); live is release ${live}`,
      );
    });

  cmd
    .command('down')
    .description('stop every lab cluster (--destroy also deletes the lab state)')
    .option('--destroy', 'delete clusters, backups and lab secrets')
    .action(async (o: { destroy?: boolean }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const reaped = await reapOrphanedDrills(loaded.config, loaded.baseDir, (m) =>
        out.progress(m),
      );
      await labDown(labProvider(loaded.config, loaded.baseDir), {
        destroy: o.destroy ?? false,
        progress: (m) => out.progress(m),
      });
      out.result({ ok: true, destroyed: o.destroy ?? false, reapedDrills: reaped });
      out.info(o.destroy ? 'lab destroyed' : 'lab stopped');
    });
  return cmd;
}

/** Standby lag per running primary, for `lab status`. */
async function replicationOf(p: ReturnType<typeof labProvider>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of p.clusters.list()) {
    if (!p.clusters.isRunning(c.id)) continue;
    const d = await p.database.describe(c.id);
    if (d.role !== 'primary') continue;
    const r = await p.database.replication(c.id).catch(() => undefined);
    if (r)
      out[c.id] = r.standbys.length
        ? r.standbys
            .map(
              (s) =>
                `${s.name} ${s.state} ${s.syncState} lag ${s.lagBytes} B / ${s.replayLagSeconds ?? 0} s`,
            )
            .join(', ')
        : 'no standby';
  }
  return out;
}
