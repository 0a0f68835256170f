/**
 * Benchmark: RB-N-03's point-in-time restore of a prefix against `s3-pit-restore` 0.9 (PyPI),
 * side by side on one moto server (drkit issue 17).
 *
 *   npx tsx bench/s3-pit-restore/run.ts [--keys 3003] [--runs 3] [--concurrency 16] [--first peer]
 *     [--memory] [--memory-only] [--no-write]
 *
 * The incident (./scenario.ts): `--keys` keys in the prefix before T, of which 3 were deleted
 * before T with their delete marker the last entry of a ListObjectVersions page; after T 40 % of
 * the live keys overwritten, 20 % deleted, 5 % more created. Each run gets a fresh moto state
 * (`/moto-api/reset`, a new bucket, the same layout seeded again), then one side restores in
 * place to T, `--concurrency` writes in flight:
 * - drkit: RB-N-03 through `runRunbook` with the aws provider bound from a config whose
 *   `aws.endpoint` is the moto server (what `drkit runbook run rb-n-03 --provider aws --yes` does),
 *   journal, plan file and all;
 * - peer: `s3-pit-restore -b <bucket> -B <bucket> -p <prefix> -t <T> --max-workers <n>`, with
 *   AWS_ENDPOINT_URL pointing at moto (it has no endpoint option), from .tools/s3pit-venv (made
 *   here when missing).
 * Runs alternate which side goes first. After each run every key is checked against T
 * (ListObjectsV2 ETags = MD5 of the content; keys absent at T must be absent). `--memory` also
 * measures the plan builder's peak RSS on synthetic pages (./plan-memory.ts), each size in its own
 * process. Results go to bench/RESULTS.md under "## S3 point-in-time restore vs s3-pit-restore",
 * one subsection per key count (and one for memory).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwsClients } from '../../packages/drkit/src/adapters/aws/clients.js';
import { parseConfig } from '../../packages/drkit/src/config/load.js';
import {
  MOTO_CREDENTIALS,
  motoVenvDir,
  startMotoServer,
} from '../../packages/drkit/src/lab/moto-server.js';
import { bindProvider } from '../../packages/drkit/src/providers/index.js';
import { runRunbook } from '../../packages/drkit/src/runbooks/run.js';
import { s3Restore } from '../../packages/drkit/src/runbooks/s3-restore/index.js';
import type { S3RestoreState } from '../../packages/drkit/src/runbooks/s3-restore/context.js';
import {
  checkPageBoundaries,
  currentState,
  layout,
  seed,
  stateAtT,
  wrongKeys,
} from './scenario.js';
import { memorySection, scaleSection, writeSubsection, type RunResult } from './report.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const KEYS = opt('keys', 3003);
const RUNS = opt('runs', 3);
const CONCURRENCY = opt('concurrency', 16);
const WRITE = !args.includes('--no-write');
/** Only one side (`--side drkit|peer`), e.g. when the other ran in another process. @default both */
const ONLY = args.includes('--side') ? args[args.indexOf('--side') + 1] : undefined;
/** Which side goes first in odd-numbered runs (`--first peer`). @default drkit */
const PEER_FIRST = args.includes('--first') && args[args.indexOf('--first') + 1] === 'peer';
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const venv = path.join(root, '.tools', 's3pit-venv');
const PEER = path.join(venv, 'bin', 's3-pit-restore');
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;
const command = `npx tsx bench/s3-pit-restore/run.ts ${args.join(' ')}`.trim();

if (!existsSync(PEER)) {
  log(`installing s3-pit-restore 0.9 into ${venv}`);
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', 's3-pit-restore==0.9'], {
    stdio: 'inherit',
  });
}
const resultsFile = path.resolve(here, '../RESULTS.md');

if (args.includes('--memory') || args.includes('--memory-only')) {
  const rows = [3000, 30_000, 300_000, 3_000_000].map((v) => {
    const plain = JSON.parse(
      execFileSync('npx', ['tsx', path.join(here, 'plan-memory.ts'), '--versions', String(v)], {
        encoding: 'utf8',
      }),
    ) as Record<string, number>;
    const gc = JSON.parse(
      execFileSync(
        'node',
        [
          '--expose-gc',
          '--import',
          'tsx',
          path.join(here, 'plan-memory.ts'),
          '--versions',
          String(v),
          '--retained',
        ],
        { encoding: 'utf8', cwd: root },
      ),
    ) as Record<string, number>;
    log(
      `plan memory at ${v} versions: ${JSON.stringify(plain)} retained ${gc.retainedHeapMiB} MiB`,
    );
    return { ...plain, retainedHeapMiB: gc.retainedHeapMiB! };
  });
  const text = memorySection(rows, command);
  console.log(`\n${text}`);
  if (WRITE) writeSubsection(resultsFile, '### Plan memory', text);
}

if (!args.includes('--memory-only')) {
  // the aws provider takes the SDK's default credential chain, as the CLI does
  process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  const moto = await startMotoServer();
  const clients = new AwsClients({
    endpoint: moto.endpoint,
    credentials: MOTO_CREDENTIALS,
    defaultRegion: 'us-east-1',
  });
  const l = layout(KEYS);
  const expected = stateAtT(l);
  log(`layout: ${JSON.stringify(l.counts)}, ${l.entries} listing entries after the fault`);
  const results: RunResult[] = [];
  try {
    const s3 = clients.s3();
    let checked = false;
    for (let r = 0; r < RUNS; r++) {
      const drkitFirst = (r % 2 === 0) !== PEER_FIRST;
      for (const side of drkitFirst ? (['drkit', 'peer'] as const) : (['peer', 'drkit'] as const)) {
        if (ONLY && side !== ONLY) continue;
        await moto.reset();
        const bucket = `pit-${side}-${r}`;
        let t = Date.now();
        const T = await seed(s3, bucket, l);
        log(`${bucket}: seeded in ${((Date.now() - t) / 1000).toFixed(1)} s, T=${T.toISOString()}`);
        if (!checked) {
          log(`page boundaries hold for ${await checkPageBoundaries(s3, bucket, l)} edge keys`);
          checked = true;
        }
        const loadBefore = load1();
        t = performance.now();
        const out =
          side === 'drkit'
            ? await runDrkit(moto.endpoint, bucket, l.prefix, T)
            : await runPeer(moto.endpoint, bucket, l.prefix, T);
        const ms = performance.now() - t;
        const loadAfter = load1();
        const wrong = wrongKeys(expected, await currentState(s3, bucket, l.prefix));
        const res: RunResult = {
          side,
          run: r + 1,
          first: drkitFirst === (side === 'drkit'),
          ms,
          keysPerS: KEYS / (ms / 1000),
          written: out.written,
          wrong: wrong.length,
          wrongKeys: wrong
            .slice(0, 10)
            .map((k) => `${k} (${l.keys.find((x) => x.key === k)?.role})`),
          loadBefore,
          loadAfter,
          ...(out.error ? { error: out.error } : {}),
          ...(out.steps ? { steps: out.steps } : {}),
          ...(out.listingPasses !== undefined ? { listingPasses: out.listingPasses } : {}),
          ...(out.pages !== undefined ? { pages: out.pages } : {}),
        };
        results.push(res);
        log(
          `${side} run ${r + 1}: ${(ms / 1000).toFixed(1)} s, ${res.keysPerS.toFixed(1)} keys/s, ${out.written} written, ${wrong.length} wrong ${JSON.stringify(res.wrongKeys)}, load ${loadBefore} -> ${loadAfter}${out.error ? `, ERROR ${out.error}` : ''}${out.steps ? ` steps ${JSON.stringify(out.steps)}` : ''}`,
        );
      }
    }
  } finally {
    clients.destroy();
    await moto.stop();
  }
  const text = scaleSection({
    keys: KEYS,
    runs: RUNS,
    concurrency: CONCURRENCY,
    layout: l,
    results,
    command,
    machine: machine(),
  });
  console.log(`\n${text}`);
  if (WRITE) writeSubsection(resultsFile, `### ${KEYS.toLocaleString('en')} keys`, text);
}

interface SideOutcome {
  written: number;
  error?: string;
  steps?: Record<string, number>;
  listingPasses?: number;
  pages?: number;
}

/** RB-N-03 as `drkit runbook run rb-n-03 --provider aws --yes` runs it, state dir of its own. */
async function runDrkit(
  endpoint: string,
  bucket: string,
  prefix: string,
  T: Date,
): Promise<SideOutcome> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'drkit-pit-bench-'));
  const provider = bindProvider('aws', parseConfig({ stateDir, aws: { endpoint } }), stateDir);
  const steps: Record<string, number> = {};
  try {
    const res = await runRunbook(
      s3Restore,
      provider,
      { bucket, prefix, at: T.toISOString(), concurrency: String(CONCURRENCY) },
      {
        yes: true,
        onEvent: (e) => {
          if (e.type !== 'step-end') return;
          steps[e.step] = Math.round(e.durationMs);
          log(`drkit ${e.step} ${e.outcome} in ${(e.durationMs / 1000).toFixed(1)} s`);
        },
      },
    );
    const s = res.state as S3RestoreState;
    return {
      written: planWrites(s.planFile),
      steps,
      ...(s.listingPasses !== undefined ? { listingPasses: s.listingPasses } : {}),
      ...(s.listedPages !== undefined ? { pages: s.listedPages } : {}),
    };
  } catch (err) {
    return { written: -1, steps, error: err instanceof Error ? err.message : String(err) };
  } finally {
    provider.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Write requests of a plan file: a CopyObject or DeleteObject each, one per removed marker. */
function planWrites(file: string | undefined): number {
  if (!file) return 0;
  let n = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { a?: { kind: string; deleteMarkerVersionIds?: string[] } };
    if (!e.a) continue;
    n += e.a.kind === 'remove-delete-markers' ? (e.a.deleteMarkerVersionIds?.length ?? 0) : 1;
  }
  return n;
}

/** `s3-pit-restore` in place; it prints one line per object copied or deleted. */
function runPeer(endpoint: string, bucket: string, prefix: string, T: Date): Promise<SideOutcome> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      PEER,
      [
        '-b',
        bucket,
        '-B',
        bucket,
        '-p',
        prefix,
        '-t',
        T.toISOString(),
        '--max-workers',
        String(CONCURRENCY),
      ],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: endpoint,
          AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const written = out.split('\n').filter((x) => x.trim()).length;
      const errors = err.split('\n').filter((x) => x.includes('ERROR')).length;
      resolve({
        written,
        ...(code !== 0 || errors > 0
          ? { error: `exit ${code}, ${errors} ERROR lines: ${err.slice(0, 300)}` }
          : {}),
      });
    });
  });
}

function machine(): string {
  const v = (cmd: string, a: string[]) => {
    try {
      return execFileSync(cmd, a, { encoding: 'utf8' }).trim().split('\n')[0] ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const motoVersion = v(path.join(motoVenvDir(), 'bin', 'python'), [
    '-c',
    'import moto; print(moto.__version__)',
  ]);
  const boto = v(path.join(venv, 'bin', 'python'), [
    '-c',
    'import boto3; print(boto3.__version__)',
  ]);
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Linux ${os.release()}, Node ${process.version}, moto ${motoVersion} (one Python process, in memory), s3-pit-restore 0.9 with boto3 ${boto}`;
}
