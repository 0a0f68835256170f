import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { Journal, summarize } from '../../engine/journal.js';
import type { Incident } from '../../ports/incidents.js';
import type { LabFixture } from '../../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../../testing/moto-cli.js';
import {
  readRecording,
  startRecordedServer,
  type RecordedExchange,
  type SeenRequest,
} from '../../testing/recorded-http.js';
import {
  createRotationLambda,
  createWorld,
  finishRotation,
  type BreachWorld,
} from '../../testing/breach-world.js';

/**
 * The incident around a runbook, end to end through the built CLI: security-breach on moto
 * declares its incident on Statuspage — the recorded documentation pairs, served by a checking
 * HTTP server — and a run killed during or after its declare step, then resumed, opens exactly
 * one status-page incident (the recorded requests show one POST).
 */
const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../adapters/statuspage/fixtures/killed-and-resumed.json',
);
const KEY = '0123456789abcdef0123456789abcdef';
let motoCli: MotoCli;
let clients: AwsClients;
let lambdaArn: string;

beforeAll(async () => {
  motoCli = await startMotoCli({ maxAttempts: 1 });
  ({ clients } = motoCli);
  lambdaArn = await createRotationLambda(motoCli.moto, clients);
}, 120_000);
afterAll(() => motoCli?.stop());

async function setUp(
  name: string,
  exchanges: readonly RecordedExchange[],
  onMatch?: (req: SeenRequest, fx: LabFixture) => void,
  incidentsConfig?: Record<string, unknown>,
) {
  const w: BreachWorld = await createWorld(clients, name, { users: 2, lambdaArn });
  const holder: { fx?: LabFixture } = {};
  const server = await startRecordedServer(exchanges, {}, (req) => onMatch?.(req, holder.fx!));
  const fx = motoCli.fixture({
    breach: { apiStages: w.stages, rotateSecrets: w.secrets, userPools: [w.poolId] },
  });
  holder.fx = fx;
  // the incidents section points the status page at the recording
  const raw = parse(readFileSync(fx.configFile, 'utf8')) as Record<string, unknown>;
  raw.incidents = incidentsConfig ?? {
    statusPage: {
      type: 'statuspage',
      pageId: 'jb7j80lkgqvb',
      apiBase: server.url,
      components: { api: '8kbf7d35c070' },
      minIntervalMs: 50,
    },
  };
  writeFileSync(fx.configFile, stringify(raw));
  const run = (args: string[], env: Record<string, string> = {}) =>
    motoCli.run(['--config', fx.configFile, ...args], { STATUSPAGE_API_KEY: KEY, ...env });
  return { w, fx, server, run };
}

const journalOf = (fx: LabFixture, id: string) =>
  summarize(Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`)));

/** The incident files under the fixture's state dir. */
function incidents(fx: LabFixture): Incident[] {
  const dir = path.join(fx.provider.paths.stateDir, 'incidents');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as Incident);
}

/** Kills the process holding the runbook's lock (the CLI run), as a crash would. */
function killRunbookProcess(fx: LabFixture): void {
  const locks = path.join(fx.provider.paths.journalDir, 'locks');
  for (const f of readdirSync(locks).filter((n) => n.endsWith('.lock'))) {
    const { pid } = JSON.parse(readFileSync(path.join(locks, f), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
  }
}

describe('security-breach declares on Statuspage (moto + recorded Statuspage, built CLI)', () => {
  it('GIVEN the run is killed the moment its POST reached Statuspage WHEN resumed THEN the keyed incident is found: one POST, nobody paged twice, then the PATCH', async () => {
    const rec = readRecording(FIXTURE);
    const { w, fx, server, run } = await setUp('spmid', rec.exchanges, (req, f) => {
      if (req.method === 'POST') killRunbookProcess(f); // before Statuspage's answer is read
    });
    try {
      const r = await run([
        ...['runbook', 'run', 'security-breach', '--provider', 'aws', '--yes'],
        ...['--param', 'incidentId=SEC-21'],
      ]);
      expect(r.signal).toBe('SIGKILL');
      const id = Journal.list(fx.provider.paths.journalDir)[0]!;
      expect(journalOf(fx, id).completed.has('declare')).toBe(false);
      const before = incidents(fx);
      expect(before).toHaveLength(1);
      expect(before[0]!.statusPage).toBeUndefined(); // killed before the answer was kept

      const res = await run(['runbook', 'resume', id, '--provider', 'aws', '--yes']);
      expect(res.code, res.stderr).toBe(0);
      expect(server.mismatches).toEqual([]);
      expect(server.remaining()).toBe(0);
      expect(server.seen.map((s) => s.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
      expect(server.vars.key).toBe(id); // the idempotency key is the execution id
      const after = incidents(fx);
      expect(after).toHaveLength(1);
      expect(after[0]!.statusPage).toEqual({ kind: 'statuspage', id: 'p31zjtct2jer' });
      // Eng Lead and CTO were told once: the resumed declare found the incident
      expect(after[0]!.timeline.filter((e) => e.type === 'notified')).toHaveLength(2);
      expect(after[0]!.timeline.find((e) => e.type === 'status-page')!.note).toMatch(
        /^found statuspage incident p31zjtct2jer/,
      );
      expect(after[0]!.status).toBe('identified');
    } finally {
      await server.close();
      for (const name of w.secrets) await finishRotation(clients, name);
    }
  }, 120_000);

  it('GIVEN the run is killed right after its declare step WHEN resumed THEN declare is not run again and the recording shows one POST', async () => {
    const rec = readRecording(FIXTURE);
    const ex = [rec.exchanges[0]!, rec.exchanges[1]!, rec.exchanges[3]!];
    const { w, fx, server, run } = await setUp('spafter', ex);
    try {
      const r = await run(
        [
          ...['runbook', 'run', 'security-breach', '--provider', 'aws', '--yes'],
          ...['--severity', 'SEV1', '--param', 'incidentId=SEC-22'],
        ],
        { DRKIT_CRASH_AFTER_STEP: 'declare' },
      );
      expect(r.signal).toBe('SIGKILL');
      const id = Journal.list(fx.provider.paths.journalDir)[0]!;
      const res = await run(['runbook', 'resume', id, '--provider', 'aws', '--yes']);
      expect(res.code, res.stderr).toBe(0);
      expect(server.mismatches).toEqual([]);
      expect(server.seen.map((s) => s.method)).toEqual(['GET', 'POST', 'PATCH']);
      const shown = await run(['--json', 'incident', 'list', '--provider', 'aws']);
      expect(shown.code, shown.stderr).toBe(0);
      const list = JSON.parse(shown.stdout) as Incident[];
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ severity: 'SEV1', key: id, status: 'identified' });
    } finally {
      await server.close();
      for (const name of w.secrets) await finishRotation(clients, name);
    }
  }, 120_000);

  it('GIVEN SEV1 with a 0.1 s response time and nobody acknowledging WHEN a human acks it from the CLI THEN `drkit incident watch` escalates it no more', async () => {
    const { w, fx, run } = await setUp('spesc', [], undefined, {
      matrix: {
        SEV1: { response: '0.1s', notify: [{ who: 'Eng Lead', channel: 'log' }], statusPage: true },
      },
      watchIntervalMs: 50,
    });
    try {
      const r = await run([
        ...['runbook', 'run', 'security-breach', '--provider', 'aws', '--yes'],
        ...['--param', 'incidentId=SEC-23'],
      ]);
      expect(r.code, r.stderr).toBe(0);
      const [inc] = incidents(fx);
      const acked = await run(['--json', 'incident', 'ack', inc!.id, '--by', 'alice']);
      expect(acked.code, acked.stderr).toBe(0);
      const escalations = (i: Incident) => i.timeline.filter((e) => e.type === 'escalated').length;
      const before = escalations(incidents(fx)[0]!);
      const watched = await run(['--json', 'incident', 'watch', '--for', '1.5']);
      expect(watched.code, watched.stderr).toBe(0);
      expect(JSON.parse(watched.stdout)).toEqual({ escalated: [] });
      const shown = JSON.parse(
        (await run(['--json', 'incident', 'show', inc!.id])).stdout,
      ) as Incident;
      expect(shown.acknowledgedBy).toBe('alice');
      expect(escalations(shown)).toBe(before);
    } finally {
      for (const name of w.secrets) await finishRotation(clients, name);
    }
  }, 120_000);

  it('GIVEN an open incident nobody acknowledges WHEN `drkit incident watch` runs THEN it escalates at the response time', async () => {
    const { w, fx, run } = await setUp('spwatch', [], undefined, {
      matrix: {
        SEV1: { response: '1s', notify: [{ who: 'CTO', channel: 'log' }] },
        SEV2: { response: '1s', notify: [{ who: 'Eng Lead', channel: 'log' }] },
      },
      watchIntervalMs: 100,
    });
    try {
      const r = await run([
        ...[
          'runbook',
          'run',
          'security-breach',
          '--provider',
          'aws',
          '--yes',
          '--severity',
          'SEV2',
        ],
        ...['--param', 'incidentId=SEC-24'],
      ]);
      expect(r.code, r.stderr).toBe(0);
      const count = () => incidents(fx)[0]!.timeline.filter((e) => e.type === 'escalated').length;
      const before = count();
      const watched = await run(['--json', 'incident', 'watch', '--for', '2.5']);
      expect(watched.code, watched.stderr).toBe(0);
      const [inc] = incidents(fx);
      expect((JSON.parse(watched.stdout) as { escalated: string[] }).escalated).toContain(inc!.id);
      expect(count()).toBeGreaterThan(before);
      expect(inc!.level).toBe('SEV1');
      expect(inc!.timeline.some((e) => e.type === 'notified' && e.who === 'CTO')).toBe(true);
    } finally {
      for (const name of w.secrets) await finishRotation(clients, name);
    }
  }, 120_000);
});
