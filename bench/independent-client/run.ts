/**
 * An independent client beside a drill: it starts the drill command given after `--`, finds the
 * drill's state dir and in it the way in (the two-region lab's front door from
 * `lab/regions.json`; for the PITR drill, which has no front door, its app tasks from the pid
 * files in `lab/apps/` and their `--port`), writes orders with its own client refs at its own rate
 * (open loop: one every 1/rate s whatever the answers take), logs every answer, and after the
 * drill (run it with `--keep`, so the recovered cluster is still up) looks each acknowledged ref
 * up in the recovered database the report names. It computes RTO, RPO and the lost count with
 * its own code (./measure.ts, nothing imported from drkit) from its own log — and from the
 * drill's workload log, recounted here — and prints them beside the drill report's figures.
 *
 *   npm run build -w packages/drkit
 *   npx tsx bench/independent-client/run.ts --rate 50 --state-dir /tmp/x/.drkit --out /tmp/x/pitr -- \
 *     node packages/drkit/dist/cli/main.js --json -c /tmp/x/cfg.yaml drill pitr --keep
 *
 * The drill command must print its JSON result on stdout (`--json`) and keep its lab
 * (`--keep`); stop the lab afterwards with `drkit -c <config with stateDir: the drill dir> lab
 * down --destroy` (which deletes the drill dir). Writes `<out>/independent.jsonl` (every
 * answer), `<out>/drill.json` (the drill's result), `<out>/drkit-workload.jsonl` (a copy of the
 * drill's workload log), `<out>/run.json` and `<out>/summary.json`, and prints a markdown table.
 * `--analyze <out>` computes the figures again from those files while the lab is still kept.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  longestAckGap,
  loss,
  gapBefore,
  lossEndResolution,
  pct,
  recovery,
  type ClientWrite,
  type LossFigure,
  type RecoveryFigure,
} from './measure.js';

const dash = process.argv.indexOf('--');
const drillCmd = dash >= 0 ? process.argv.slice(dash + 1) : [];
const { values: args } = parseArgs({
  args: dash >= 0 ? process.argv.slice(2, dash) : process.argv.slice(2),
  options: {
    rate: { type: 'string', default: '50' },
    'state-dir': { type: 'string', default: '.drkit' },
    out: { type: 'string' },
    'max-in-flight': { type: 'string', default: '32' },
    'timeout-ms': { type: 'string', default: '2000' },
    users: { type: 'string', default: '50' },
    targets: { type: 'string' },
    analyze: { type: 'string' },
  },
});
if (!drillCmd.length && !args.analyze) {
  process.stderr.write(
    'usage: run.ts [--rate 50] [--state-dir .drkit] [--out DIR] [--targets URL,…] -- <drill command with --json and --keep>\n' +
      '       run.ts --analyze <out dir of an earlier run>   (again, while its lab is kept)\n',
  );
  process.exit(2);
}
/** What a run leaves in its out dir for `--analyze`. */
interface RunFile {
  drillDir: string | undefined;
  drillExit: number | null | undefined;
  rate: number;
  maxInFlight: number;
  skipped: number;
}
const earlier = args.analyze
  ? (JSON.parse(readFileSync(path.join(args.analyze, 'run.json'), 'utf8')) as RunFile)
  : undefined;
const RATE = earlier?.rate ?? Number(args.rate);
const MAX_IN_FLIGHT = earlier?.maxInFlight ?? Number(args['max-in-flight']);
const TIMEOUT_MS = Number(args['timeout-ms']);
const USERS = Number(args.users);
const drillsDir = path.resolve(args['state-dir']!, 'drills');
const outDir = path.resolve(
  args.analyze ??
    args.out ??
    path.join(os.tmpdir(), `drkit-independent-${Date.now().toString(36)}`),
);
mkdirSync(outDir, { recursive: true });
const say = (m: string) => process.stderr.write(`[independent] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LogRecord extends ClientWrite {
  readonly seq: number;
  readonly sentAt: string;
  readonly target: string;
  readonly status?: number;
  readonly error?: string;
}

// --- the drill, started beside us -------------------------------------------------------------
const before = new Set(existsSync(drillsDir) ? readdirSync(drillsDir) : []);
let drillStdout = '';
let drillExit: number | null | undefined = earlier?.drillExit;
let drillDone: Promise<void> = Promise.resolve();
function startDrill(): void {
  const drill = spawn(drillCmd[0]!, drillCmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  drill.stdout.on('data', (d: Buffer) => (drillStdout += d.toString()));
  drillDone = new Promise<void>((resolve) =>
    drill.on('exit', (code) => {
      drillExit = code;
      resolve();
    }),
  );
  process.on('SIGINT', () => drill.kill('SIGINT'));
}

// --- discovery ----------------------------------------------------------------------------------
async function findDrillDir(): Promise<string | undefined> {
  while (drillExit === undefined) {
    const fresh = (existsSync(drillsDir) ? readdirSync(drillsDir) : []).filter(
      (d) => !before.has(d) && /^[a-z0-9-]+-\d{8}T\d{6}$/.test(d),
    );
    if (fresh.length) return path.join(drillsDir, fresh.sort().at(-1)!);
    await sleep(100);
  }
  return undefined;
}

/** The port an app task listens on, from its command line (`server-main.js --port N …`). */
function portOfPid(pid: number): number | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.indexOf('--port');
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the drill's clients write: the front door, or (PITR) every running app task. Files the
 * drill is writing or removing just now read as "nothing yet" (asked again a moment later).
 */
function discoverTargets(drillDir: string): string[] {
  if (args.targets) return args.targets.split(',');
  try {
    return targetsIn(drillDir);
  } catch {
    return [];
  }
}

function targetsIn(drillDir: string): string[] {
  const regions = path.join(drillDir, 'lab', 'regions.json');
  if (!path.basename(drillDir).startsWith('pitr-')) {
    if (!existsSync(regions)) return [];
    const t = JSON.parse(readFileSync(regions, 'utf8')) as { frontDoorPort: number };
    return [`http://127.0.0.1:${t.frontDoorPort}`];
  }
  // The drill's own app tasks: pid files in the lab's `apps/` (older builds: the drill dir's).
  const apps = [path.join(drillDir, 'lab', 'apps'), path.join(drillDir, 'apps')].find(
    (d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.pid')),
  );
  if (!apps) return [];
  return readdirSync(apps)
    .filter((f) => f.endsWith('.pid'))
    .sort()
    .map((f) => portOfPid(Number(readFileSync(path.join(apps, f), 'utf8'))))
    .filter((p): p is number => !!p)
    .map((p) => `http://127.0.0.1:${p}`);
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}

// --- the writer -----------------------------------------------------------------------------------
const records: LogRecord[] = [];
const logStream = args.analyze
  ? undefined
  : createWriteStream(path.join(outDir, 'independent.jsonl'));
let inFlight = 0;
let skipped = earlier?.skipped ?? 0;

async function writeOnce(seq: number, target: string): Promise<void> {
  const ref = randomUUID();
  const sentAt = new Date().toISOString();
  let rec: LogRecord;
  try {
    const r = await fetch(`${target}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 1 + (seq % USERS), amount_cents: 100, client_ref: ref }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await r.json().catch(() => ({}))) as {
      order?: { client_ref?: string };
      cluster?: string;
      error?: string;
    };
    const at = new Date().toISOString();
    const task = r.headers.get('x-drkit-task') ?? undefined;
    const base = { seq, ref, sentAt, at, target, status: r.status, ...(task ? { task } : {}) };
    if (r.status === 201 && body.order?.client_ref === ref)
      rec = { ...base, type: 'ack', cluster: body.cluster ?? '?' };
    else if (r.status === 503 && body.error === 'global_readonly')
      rec = { ...base, type: 'refused' };
    else rec = { ...base, type: 'fail', error: `HTTP ${r.status} ${body.error ?? ''}`.trim() };
  } catch (err) {
    rec = {
      seq,
      ref,
      sentAt,
      at: new Date().toISOString(),
      target,
      type: 'fail',
      error: (err as Error).message.slice(0, 120),
    };
  }
  records.push(rec);
  logStream?.write(JSON.stringify(rec) + '\n');
}

async function writeUntilDrillEnds(drillDir: string): Promise<void> {
  let targets: string[] = [];
  for (;;) {
    targets = discoverTargets(drillDir);
    const up = await Promise.all(targets.map(healthy));
    if (targets.length && up.some(Boolean)) break;
    if (drillExit !== undefined) return;
    await sleep(200);
  }
  say(`writing ${RATE}/s to ${targets.join(', ')}`);
  const interval = 1000 / RATE;
  const started = Date.now();
  let seq = 0;
  let rediscovered = Date.now();
  const pending = new Set<Promise<void>>();
  while (drillExit === undefined) {
    if (Date.now() - rediscovered > 1000) {
      const t = discoverTargets(drillDir);
      if (t.length && t.join() !== targets.join()) {
        say(`targets now ${t.join(', ')}`);
        targets = t;
      }
      rediscovered = Date.now();
    }
    seq++;
    if (inFlight >= MAX_IN_FLIGHT) skipped++;
    else {
      inFlight++;
      const p = writeOnce(seq, targets[seq % targets.length]!).finally(() => {
        inFlight--;
        pending.delete(p);
      });
      pending.add(p);
    }
    const wait = started + seq * interval - Date.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(pending);
}

// --- after the drill: count in the recovered database ------------------------------------------
interface DrillReport {
  scenario: string;
  drillId: string;
  achieved: {
    rtoSeconds?: number;
    rpoSeconds?: number;
    lostWrites?: number;
    acknowledgedWrites?: number;
  };
  events: Array<{ name: string; at: string }>;
  facts: Record<string, string | number | boolean | null>;
  definitions?: Record<string, string>;
}

async function presentRefs(
  drillDir: string,
  cluster: string,
  refs: string[],
): Promise<Set<string>> {
  const reg = JSON.parse(readFileSync(path.join(drillDir, 'lab', 'clusters.json'), 'utf8')) as {
    clusters: Array<{ id: string; port: number; superuser: string }>;
  };
  const rec = reg.clusters.find((c) => c.id === cluster);
  if (!rec) throw new Error(`cluster '${cluster}' is not in ${drillDir}/lab/clusters.json`);
  const app = JSON.parse(
    readFileSync(path.join(drillDir, 'secrets', 'drkit', 'app.json'), 'utf8'),
  ) as { db: { database: string; user: string } };
  const c = new pg.Client({
    host: '127.0.0.1',
    port: rec.port,
    user: app.db.user,
    database: app.db.database,
  });
  await c.connect();
  try {
    const out = new Set<string>();
    for (let i = 0; i < refs.length; i += 5000) {
      const r = await c.query<{ ref: string }>(
        'SELECT client_ref::text AS ref FROM orders WHERE client_ref = ANY($1::uuid[])',
        [refs.slice(i, i + 5000)],
      );
      for (const row of r.rows) out.add(row.ref);
    }
    return out;
  } finally {
    await c.end();
  }
}

function readDrillLog(file: string): ClientWrite[] {
  const out: ClientWrite[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let r: { type: string; ref?: string; at: string; cluster?: string; task?: string };
    try {
      r = JSON.parse(line);
    } catch {
      break;
    }
    if (r.type !== 'ack' && r.type !== 'fail' && r.type !== 'refused') continue;
    out.push({
      ref: r.ref ?? '',
      at: r.at,
      type: r.type,
      ...(r.cluster ? { cluster: r.cluster } : {}),
      ...(r.task ? { task: r.task } : {}),
    });
  }
  return out;
}

interface ClientFigures {
  readonly rate: number;
  readonly loss: LossFigure;
  readonly recovery: RecoveryFigure;
  readonly rtoSeconds: number | undefined;
  readonly outage: ReturnType<typeof longestAckGap>;
  /** How finely this client's log places the figures' end points (seconds). */
  readonly resolution: { rto: number; rpo: number };
}

function figures(
  writes: ClientWrite[],
  present: Set<string>,
  rep: DrillReport,
  rate: number,
): ClientFigures {
  const t0 = new Date(
    (rep.facts.corruptionAt as string | undefined) ?? rep.events.find((e) => e.name === 'T0')!.at,
  );
  const cluster = (rep.facts.restoredCluster ?? rep.facts.newPrimary) as string;
  const target = rep.facts.restoreTarget ? new Date(rep.facts.restoreTarget as string) : undefined;
  const l = loss(writes, present, target);
  const rec = recovery(writes, t0, cluster);
  const outage = longestAckGap(writes, new Date(t0.getTime() - 1000));
  // A planned move's RTO runs from the start of the write outage (ARCHITECTURE.md).
  const planned = rep.scenario === 'switchover' || rep.scenario === 'cutback';
  const from = planned && outage.start ? Date.parse(outage.start) : t0.getTime();
  const rto = rec.recoveredAt ? (Date.parse(rec.recoveredAt) - from) / 1000 : undefined;
  // RTO's end is placed within the gap before the first sustained ack; RPO's end within the time
  // until every task that was acknowledging answered again (see lossEndResolution), and for a
  // failover its start within the gap before the first lost ack.
  const rtoRes = rec.recoveredAt ? gapBefore(writes, rec.recoveredAt) : 0;
  let rpoRes = l.newestLostAt ? lossEndResolution(writes, l.newestLostAt) : 0;
  if (!target && l.oldestLostAt) rpoRes += gapBefore(writes, l.oldestLostAt);
  return {
    rate,
    loss: l,
    recovery: rec,
    rtoSeconds: rto,
    outage,
    resolution: { rto: rtoRes, rpo: rpoRes },
  };
}

// --- main -------------------------------------------------------------------------------------------
let drillDir: string | undefined;
if (earlier) {
  drillDir = earlier.drillDir;
  drillStdout = readFileSync(path.join(outDir, 'drill.json'), 'utf8');
  for (const line of readFileSync(path.join(outDir, 'independent.jsonl'), 'utf8').split('\n'))
    if (line.trim()) records.push(JSON.parse(line) as LogRecord);
} else {
  startDrill();
  drillDir = await findDrillDir();
  if (drillDir) {
    say(`drill dir ${drillDir}`);
    await writeUntilDrillEnds(drillDir);
  }
  await drillDone;
  await new Promise<void>((r) => logStream!.end(r));
  writeFileSync(path.join(outDir, 'drill.json'), drillStdout);
  // `lab down --destroy` removes the drill dir: keep the drill's workload log beside ours.
  if (drillDir && existsSync(path.join(drillDir, 'workload.jsonl')))
    copyFileSync(path.join(drillDir, 'workload.jsonl'), path.join(outDir, 'drkit-workload.jsonl'));
  const run: RunFile = { drillDir, drillExit, rate: RATE, maxInFlight: MAX_IN_FLIGHT, skipped };
  writeFileSync(path.join(outDir, 'run.json'), JSON.stringify(run, null, 2) + '\n');
}
if (!drillDir) {
  say(`the drill exited (${drillExit}) before its state dir appeared in ${drillsDir}`);
  process.exit(1);
}
let result: { report: DrillReport; files: { json: string } };
try {
  result = JSON.parse(drillStdout) as typeof result;
} catch {
  say(`the drill (exit ${drillExit}) printed no JSON result on stdout: run it with --json`);
  process.exit(1);
}
const rep = result.report;
const cluster = (rep.facts.restoredCluster ?? rep.facts.newPrimary) as string;
const drkitLog = readDrillLog(path.join(outDir, 'drkit-workload.jsonl'));
const drkitRate = Number(rep.facts.workloadRatePerSecond ?? 20);
const mine = records as ClientWrite[];
const present = await presentRefs(drillDir, cluster, [
  ...mine.filter((w) => w.type === 'ack').map((w) => w.ref),
  ...drkitLog.filter((w) => w.type === 'ack').map((w) => w.ref),
]);
const indep = figures(mine, present, rep, RATE);
const recount = figures(drkitLog, present, rep, drkitRate);

const f = (n: number | undefined, d = 3) => (n === undefined ? '–' : n.toFixed(d));
const p = (n: number | undefined) =>
  n === undefined ? '–' : `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`;
const rtoAllow = indep.resolution.rto + recount.resolution.rto;
const rpoAllow = indep.resolution.rpo + recount.resolution.rpo;
const rtoDiff = pct(indep.rtoSeconds, rep.achieved.rtoSeconds);
const rpoDiff = pct(indep.loss.rpoSeconds, rep.achieved.rpoSeconds);
const verdict = (
  diff: number | undefined,
  a: number | undefined,
  b: number | undefined,
  allow: number,
) => {
  if (a === undefined || b === undefined) return 'not comparable';
  if (diff === undefined) return a === b ? 'equal' : 'drkit 0';
  if (Math.abs(diff) <= 5) return 'within 5 %';
  return Math.abs(a - b) <= allow
    ? `outside 5 %, within the write granularity (${allow.toFixed(3)} s)`
    : `outside 5 % by ${(Math.abs(a - b) - allow).toFixed(3)} s beyond the write granularity (${allow.toFixed(3)} s)`;
};
const lines = [
  `Drill ${rep.drillId} (${rep.scenario}), exit ${drillExit}; recovered cluster '${cluster}'; T0 ${(rep.facts.corruptionAt as string | undefined) ?? rep.events.find((e) => e.name === 'T0')?.at}${rep.facts.restoreTarget ? `; restore target ${rep.facts.restoreTarget}` : ''}`,
  '',
  `| Figure | drkit report | drkit's workload log, recounted here | independent client | independent vs drkit report |`,
  `| --- | --- | --- | --- | --- |`,
  `| Write rate | ${drkitRate}/s (closed loop) | ${drkitRate}/s | ${RATE}/s (open loop${skipped ? `, ${skipped} skipped at ${MAX_IN_FLIGHT} in flight` : ''}) | |`,
  `| Acknowledged writes | ${rep.achieved.acknowledgedWrites} | ${recount.loss.acknowledged} | ${indep.loss.acknowledged} | |`,
  `| Lost acknowledged writes | ${rep.achieved.lostWrites} | ${recount.loss.lost} | ${indep.loss.lost} | ${f(indep.loss.lost / RATE)} s vs ${f((rep.achieved.lostWrites ?? 0) / drkitRate)} s of writes (lost ÷ rate) |`,
  `| Lost window (oldest … newest lost ack) | ${rep.facts.lostWindow ?? '–'} | ${recount.loss.oldestLostAt ?? '–'} … ${recount.loss.newestLostAt ?? '–'} | ${indep.loss.oldestLostAt ?? '–'} … ${indep.loss.newestLostAt ?? '–'} | |`,
  `| RPO s | ${f(rep.achieved.rpoSeconds)} | ${f(recount.loss.rpoSeconds)} (from ${recount.loss.recoveryPoint ?? '–'}) | ${f(indep.loss.rpoSeconds)} (from ${indep.loss.recoveryPoint ?? '–'}) | ${p(rpoDiff)}: ${verdict(rpoDiff, indep.loss.rpoSeconds, rep.achieved.rpoSeconds, rpoAllow)} |`,
  `| Recovered at (first sustained ack) | ${rep.events.find((e) => e.name === 'recovered')?.at ?? '–'} | ${recount.recovery.recoveredAt ?? '–'} | ${indep.recovery.recoveredAt ?? '–'} | |`,
  `| RTO s | ${f(rep.achieved.rtoSeconds)} | ${f(recount.rtoSeconds)} | ${f(indep.rtoSeconds)} | ${p(rtoDiff)}: ${verdict(rtoDiff, indep.rtoSeconds, rep.achieved.rtoSeconds, rtoAllow)} |`,
  `| Longest gap between acks s | ${rep.facts.writeUnavailabilityOneClientSeconds ?? '–'} | ${f(recount.outage.seconds)} | ${f(indep.outage.seconds)} | |`,
  `| Resolution (RTO; RPO) s | | ${f(recount.resolution.rto)}; ${f(recount.resolution.rpo)} | ${f(indep.resolution.rto)}; ${f(indep.resolution.rpo)} | |`,
];
process.stdout.write(lines.join('\n') + '\n');
writeFileSync(
  path.join(outDir, 'summary.json'),
  JSON.stringify(
    {
      drillId: rep.drillId,
      scenario: rep.scenario,
      drillExit,
      drillDir,
      drillReport: result.files.json,
      recoveredCluster: cluster,
      drkit: { achieved: rep.achieved, lostWindow: rep.facts.lostWindow ?? null },
      drkitLogRecounted: recount,
      independent: { ...indep, skipped, writes: records.length },
      differencePercent: { rto: rtoDiff ?? null, rpo: rpoDiff ?? null },
      granularitySeconds: { rto: rtoAllow, rpo: rpoAllow },
      table: lines,
    },
    null,
    2,
  ) + '\n',
);
say(`log ${path.join(outDir, 'independent.jsonl')}; summary ${path.join(outDir, 'summary.json')}`);
process.exit(0);
