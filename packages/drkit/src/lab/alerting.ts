import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DrkitConfig } from '../config/schema.js';
import { DependencyMissingError, NotFoundError, PreconditionError } from '../engine/errors.js';
import { freePort } from '../util/net.js';
import { isExecutable, runCommand } from '../util/proc.js';
import { renderAlertmanagerConfig, renderPrometheusConfig } from './alerting-config.js';
import { DetachedProcess } from './detached-process.js';
import type { LabProvider } from './provider.js';

/** `<labDir>/alerting.json`: what `lab up --alerting` set up (ports kept across restarts). */
export interface LabAlerting {
  readonly prometheusPort: number;
  readonly alertmanagerPort: number;
  /** drkit's alert receiver: `POST /alerts` (Alertmanager's webhook) and `GET /metrics`. */
  readonly receiverPort: number;
  /** The rules file Prometheus loads (absolute). */
  readonly rulesFile: string;
  /** JSONL record of every alert the receiver got. */
  readonly alertsFile: string;
}

/** What the receiver process reads at start (`<labDir>/alerting/receiver.json`). */
export interface ReceiverSettings {
  readonly port: number;
  readonly alertsFile: string;
  readonly baseDir: string;
  /** The drkit config in force when `lab up` ran (parsed again by the receiver). */
  readonly config: DrkitConfig;
}

const stateFile = (p: LabProvider) => path.join(p.paths.labDir, 'alerting.json');
const runDir = (p: LabProvider) => path.join(p.paths.labDir, 'alerting');
const url = (port: number) => `http://127.0.0.1:${port}`;

/** The three processes, in start order (stopped in reverse). */
function processes(p: LabProvider) {
  const dir = runDir(p);
  return {
    receiver: new DetachedProcess(dir, 'receiver'),
    alertmanager: new DetachedProcess(dir, 'alertmanager'),
    prometheus: new DetachedProcess(dir, 'prometheus'),
  };
}

export function readLabAlerting(p: LabProvider): LabAlerting | undefined {
  const f = stateFile(p);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as LabAlerting) : undefined;
}

/**
 * `drkit lab up --alerting`: drkit's alert receiver, Alertmanager routing every alert to it,
 * and Prometheus scraping drkit's metrics (through the receiver) and the front door's HAProxy
 * exporter, evaluating the shipped rules — each a detached process on loopback with its config
 * and data under `<labDir>/alerting/`. Running ones are told to reload their config (SIGHUP).
 * @throws DependencyMissingError when Debian's prometheus or prometheus-alertmanager is missing
 * @throws NotFoundError when the rules file does not exist; PreconditionError when promtool rejects the config or a process does not start
 */
export async function labUpAlerting(
  p: LabProvider,
  config: DrkitConfig,
  opts: { baseDir: string; haproxyMetricsPort?: number; progress?: (m: string) => void },
): Promise<LabAlerting> {
  const a = config.lab.alerting;
  for (const [bin, pkg] of [
    [a.prometheusBin, 'prometheus'],
    [a.promtoolBin, 'prometheus'],
    [a.alertmanagerBin, 'prometheus-alertmanager'],
  ] as const)
    if (!isExecutable(bin))
      throw new DependencyMissingError(`${bin} is not installed`, {
        hint: `run scripts/bootstrap (as root it installs Debian's ${pkg}), or set lab.alerting in the config to where it is`,
      });
  const rulesFile = path.resolve(opts.baseDir, a.rulesFile);
  if (!existsSync(rulesFile))
    throw new NotFoundError(`alert rules file ${rulesFile} does not exist`, {
      hint: "set lab.alerting.rulesFile to the drkit repo's ops/prometheus/rules.yml (relative to the config file)",
    });
  // Checked before anything is written: a bad rule is named here, not in Prometheus' log, and
  // a running Prometheus keeps its last good config.
  const check = await runCommand([a.promtoolBin, 'check', 'rules', rulesFile]);
  if (check.code !== 0)
    throw new PreconditionError(
      `promtool rejects the alert rules: ${(check.stdout + check.stderr).trim()}`,
      { hint: `fix ${rulesFile} (check it with \`promtool check rules\`)` },
    );
  const dir = runDir(p);
  mkdirSync(dir, { recursive: true });
  const old = readLabAlerting(p);
  const taken = new Set<number>();
  const port = async (kept: number | undefined) => {
    let n = kept ?? (await freePort());
    while (taken.has(n)) n = await freePort();
    taken.add(n);
    return n;
  };
  const state: LabAlerting = {
    receiverPort: await port(old?.receiverPort),
    alertmanagerPort: await port(old?.alertmanagerPort),
    prometheusPort: await port(old?.prometheusPort),
    rulesFile,
    alertsFile: path.join(dir, 'alerts.jsonl'),
  };
  writeFileSync(stateFile(p), JSON.stringify(state, null, 2) + '\n');
  const receiverSettings: ReceiverSettings = {
    port: state.receiverPort,
    alertsFile: state.alertsFile,
    baseDir: opts.baseDir,
    config,
  };
  const files = {
    receiver: path.join(dir, 'receiver.json'),
    prometheus: path.join(dir, 'prometheus.yml'),
    alertmanager: path.join(dir, 'alertmanager.yml'),
  };
  writeFileSync(files.receiver, JSON.stringify(receiverSettings, null, 2) + '\n');
  writeFileSync(
    files.prometheus,
    renderPrometheusConfig({
      intervalSeconds: a.intervalSeconds,
      rulesFile,
      alertmanagerPort: state.alertmanagerPort,
      drkitPort: state.receiverPort,
      ...(opts.haproxyMetricsPort ? { haproxyPort: opts.haproxyMetricsPort } : {}),
    }),
  );
  writeFileSync(
    files.alertmanager,
    renderAlertmanagerConfig({ webhookUrl: `${url(state.receiverPort)}/alerts` }),
  );
  const ready = (port: number, route: string) => async () =>
    (await fetch(`${url(port)}${route}`, { signal: AbortSignal.timeout(1000) })).ok;
  const procs = processes(p);
  const say = opts.progress ?? (() => undefined);
  // The receiver first: Alertmanager delivers to it, Prometheus scrapes it.
  say(`alert receiver (drkit) on ${url(state.receiverPort)}`);
  await startOrReload(
    procs.receiver,
    [process.execPath, receiverEntry(), '--settings', files.receiver],
    ready(state.receiverPort, '/healthz'),
  );
  say(`Alertmanager on ${url(state.alertmanagerPort)}`);
  await startOrReload(
    procs.alertmanager,
    [
      a.alertmanagerBin,
      `--config.file=${files.alertmanager}`,
      `--storage.path=${path.join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${state.alertmanagerPort}`,
      // No HA gossip: it would bind 0.0.0.0:9094.
      '--cluster.listen-address=',
    ],
    ready(state.alertmanagerPort, '/-/ready'),
  );
  say(`Prometheus on ${url(state.prometheusPort)} (rules ${rulesFile})`);
  await startOrReload(
    procs.prometheus,
    [
      a.prometheusBin,
      `--config.file=${files.prometheus}`,
      `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
      '--storage.tsdb.retention.time=2d',
      `--web.listen-address=127.0.0.1:${state.prometheusPort}`,
    ],
    ready(state.prometheusPort, '/-/ready'),
    60_000,
  );
  return state;
}

/** A running process (a receiver is restarted: it reads its settings once) reloads; else starts. */
async function startOrReload(
  proc: DetachedProcess,
  argv: string[],
  ready: () => Promise<boolean>,
  timeoutMs?: number,
): Promise<void> {
  const pid = proc.pid();
  if (pid !== undefined && proc.name !== 'receiver') process.kill(pid, 'SIGHUP');
  else {
    if (pid !== undefined) await proc.stop();
    await proc.start(argv, ready, timeoutMs);
  }
}

/** Stops Prometheus, Alertmanager and the receiver (in that order: no alert is sent half-way). */
export async function stopAlerting(p: LabProvider): Promise<void> {
  const procs = processes(p);
  await procs.prometheus.stop();
  await procs.alertmanager.stop();
  await procs.receiver.stop();
  // Alertmanager's notification log remembers what it already sent (for repeat_interval): an
  // alert still firing at `lab down` would be deduplicated, never sent, when the next lab's
  // episode fires it again.
  rmSync(path.join(runDir(p), 'alertmanager-data'), { recursive: true, force: true });
}

/** What `lab status` shows: each process, and the alerts Prometheus has pending or firing. */
export async function labAlertingStatus(p: LabProvider): Promise<
  | {
      processes: Array<{ name: string; url: string; pid: number | undefined }>;
      alerts: PrometheusAlert[] | { error: string };
      alertsFile: string;
    }
  | undefined
> {
  const s = readLabAlerting(p);
  if (!s) return undefined;
  const procs = processes(p);
  const prom = url(s.prometheusPort);
  return {
    processes: [
      { name: 'prometheus', url: prom, pid: procs.prometheus.pid() },
      { name: 'alertmanager', url: url(s.alertmanagerPort), pid: procs.alertmanager.pid() },
      { name: 'receiver', url: url(s.receiverPort), pid: procs.receiver.pid() },
    ],
    alerts: await prometheusAlerts(prom).catch((err: unknown) => ({
      error: (err as Error).message,
    })),
    alertsFile: s.alertsFile,
  };
}

/** One alert of Prometheus' `/api/v1/alerts`. */
export interface PrometheusAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
  /** When the rule's expression first held (RFC 3339). */
  readonly activeAt: string;
}

/** The alerts a Prometheus server has pending or firing now. */
export async function prometheusAlerts(baseUrl: string): Promise<PrometheusAlert[]> {
  const r = await fetch(`${baseUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(3000) });
  if (!r.ok) throw new Error(`Prometheus /api/v1/alerts: HTTP ${r.status}`);
  return ((await r.json()) as { data: { alerts: PrometheusAlert[] } }).data.alerts;
}

/** The compiled receiver entry point (tests run from src/, so they use the built dist/). */
function receiverEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const found = [
    path.join(here, 'alert-receiver-main.js'),
    path.resolve(here, '../../dist/lab/alert-receiver-main.js'),
  ].find((c) => existsSync(c));
  if (!found)
    throw new DependencyMissingError('the alert receiver is not built', {
      hint: 'run `npm run build`',
    });
  return found;
}
