import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The bad-input catalogue: every input drkit refuses, with its exit code and a fragment of the
 * message, run through the built CLI (`npm test` builds first). No lab is needed: each input
 * is refused before anything is bound or started. A new runbook adds its rows here.
 * `{cfg}` is replaced by the directory of the configs written below.
 */
interface BadInput {
  readonly args: readonly string[];
  readonly code: number;
  /** Matched against stderr (human) or the JSON error's message (`--json`). */
  readonly message: RegExp;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../dist/cli/main.js');

const ok = ['-c', '{cfg}/ok.yaml'];
const rb02 = [...ok, 'runbook', 'run', 'rb-n-02', '--param', 'source=region-a'];
const target = (t: string) => [...rb02, '--param', `target=${t}`];
const rb03at = [
  ...[...ok, 'runbook', 'run', 'rb-n-03', '--provider', 'aws', '-p', 'bucket=media'],
  ...['-p', 'at=2025-11-06T12:30:00Z'],
];

const CATALOGUE: ReadonlyArray<BadInput> = [
  // commands and options (commander usage errors: exit 2 in every subcommand)
  { args: ['nosuch'], code: 2, message: /unknown command 'nosuch'/ },
  { args: ['lab', 'bogus'], code: 2, message: /unknown command 'bogus'/ },
  { args: ['runbook', 'bogus'], code: 2, message: /unknown command 'bogus'/ },
  { args: ['drill', 'bogus'], code: 2, message: /unknown command 'bogus'/ },
  { args: ['config', 'bogus'], code: 2, message: /unknown command 'bogus'/ },
  { args: ['runbook'], code: 2, message: /Usage: drkit runbook/ },
  { args: ['runbook', 'run', 'x', '--bogus'], code: 2, message: /unknown option '--bogus'/ },
  { args: ['switchover', '--bogus'], code: 2, message: /unknown option '--bogus'/ },
  { args: ['lab', 'down', '--bogus'], code: 2, message: /unknown option '--bogus'/ },
  { args: ['drill', 'pitr', '--bogus'], code: 2, message: /unknown option '--bogus'/ },
  {
    args: ['runbook', 'run', 'rb-n-02', '--provider', 'gcp'],
    code: 2,
    message: /argument 'gcp' is invalid\. Allowed choices are lab, aws/,
  },
  { args: ['failover', '--provider', 'gcp'], code: 2, message: /argument 'gcp' is invalid/ },
  { args: ['cutback', '--provider', 'x'], code: 2, message: /argument 'x' is invalid/ },
  { args: ['cost', '--tier', 'bogus'], code: 2, message: /argument 'bogus' is invalid/ },
  { args: ['cost', '--tier'], code: 2, message: /option '--tier <tier>' argument missing/ },
  { args: ['cost', '--price', 'nokey=1'], code: 2, message: /unknown unit price 'nokey'/ },
  {
    args: ['cost', '--price', 'fargateVcpuHour=abc'],
    code: 2,
    message: /'abc' is not a non-negative number/,
  },
  { args: ['runbook', 'run'], code: 2, message: /missing required argument 'name'/ },
  { args: ['runbook', 'resume'], code: 2, message: /missing required argument 'executionId'/ },
  { args: ['validate'], code: 2, message: /required option '--source <url>' not specified/ },
  { args: ['-c'], code: 2, message: /option '-c, --config <file>' argument missing/ },
  // runbooks and their parameters
  { args: [...ok, 'runbook', 'run', 'no-such'], code: 2, message: /unknown runbook 'no-such'/ },
  {
    args: [...ok, 'runbook', 'resume', 'no-such-id'],
    code: 3,
    message: /no journal for execution no-such-id.*\n.*drkit runbook executions/,
  },
  { args: [...rb02, '--param', 'noequals'], code: 2, message: /'noequals' is not key=value/ },
  { args: [...rb02, '--param', '=x'], code: 2, message: /'=x' is not key=value/ },
  {
    args: [...target('latest'), '--param', 'source=region-b'],
    code: 2,
    message: /--param source is given twice/,
  },
  { args: rb02, code: 2, message: /--param target: .*expected string/ },
  {
    args: [...ok, 'runbook', 'run', 'rb-n-02', '-p', 'source=', '-p', 'target=latest'],
    code: 2,
    message: /--param source: Too small/,
  },
  { args: [...target('latest'), '-p', 'foo=1'], code: 2, message: /Unrecognized key: "foo"/ },
  {
    args: [...target('latest'), '-p', 'cachePrefix='],
    code: 2,
    message: /--param cachePrefix: Too small/,
  },
  { args: [...ok, 'lab', 'release'], code: 3, message: /no two-region lab in .*/ },
  // the full recovery checks the service through the lab's front door: without a lab, refused first
  {
    args: [
      ...ok,
      'runbook',
      'run',
      'full-recovery',
      '-p',
      'source=region-a',
      '-p',
      'target=latest',
    ],
    code: 3,
    message: /no two-region lab in .*/,
  },
  {
    args: [...ok, 'drill', 'pitr', '--fast', '2'],
    code: 2,
    message: /--fast 2: give the apply delay as whole seconds from 5 to 3600/,
  },
  {
    args: [...target('latest'), '-p', 'path=quick'],
    code: 2,
    message: /--param path: Invalid option: expected one of "auto"\|"fast"\|"classic"/,
  },
  {
    args: [...target('latest'), '-p', 'newClusterId=Bad_Id'],
    code: 2,
    message: /--param newClusterId: lower-case letters/,
  },
  {
    args: target('2026-11-22T10:30:00'),
    code: 2,
    message: /malformed restore target.*followed by Z/,
  },
  { args: target('2026-12-01T04:00:00+0'), code: 2, message: /malformed restore target/ },
  { args: target('2026-12-01T04:00:00+000'), code: 2, message: /malformed restore target/ },
  { args: target('yesterday'), code: 2, message: /malformed restore target 'yesterday'/ },
  { args: target('1700000000'), code: 2, message: /malformed restore target/ },
  { args: target('2026-13-01T10:00:00Z'), code: 2, message: /month out of range/ },
  { args: target('2026-02-30T00:00:00Z'), code: 2, message: /day out of range/ },
  { args: target('2026-11-22T24:00:00Z'), code: 2, message: /time out of range/ },
  { args: target('2026-11-22T10:60:00Z'), code: 2, message: /time out of range/ },
  { args: target('2026-02-01T00:00:00+15:00'), code: 2, message: /zone offset out of range/ },
  { args: target('2026-02-01T00:00:00+02:60'), code: 2, message: /zone offset out of range/ },
  {
    // on aws: the lab binds no object store, and a missing port is refused before the params
    args: [...ok, 'runbook', 'run', 'rb-n-03', '--provider', 'aws'],
    code: 2,
    message: /--param bucket: .*expected string/,
  },
  {
    args: [...ok, 'runbook', 'run', 'rb-n-03', '--provider', 'aws', '-p', 'bucket=b'],
    code: 2,
    message: /--param bucket: Too small/,
  },
  {
    // issue 17: `preferCopy=false` used to turn copy mode on; a word that is no boolean is refused
    args: [
      ...[...ok, 'runbook', 'run', 'rb-n-03', '--provider', 'aws', '-p', 'bucket=media'],
      ...['-p', 'at=2025-11-06T12:30:00Z', '-p', 'preferCopy=maybe'],
    ],
    code: 2,
    message: /--param preferCopy: expected a boolean \(true\/false, 1\/0, yes\/no\), got "maybe"/,
  },
  {
    args: [...rb03at, '-p', 'batchOperationsAbove=lots'],
    code: 2,
    message: /--param batchOperationsAbove: .*expected number/,
  },
  {
    args: [...rb03at, '-p', 'batchOperationsAbove=1000', '-p', 'batchAccountId=1234'],
    code: 2,
    message: /--param batchAccountId: a 12-digit AWS account id/,
  },
  {
    // submitting an S3 Batch Operations job needs its role, account and manifest bucket
    args: [...rb03at, '-p', 'batchOperationsAbove=1000', '-p', 'submitBatchJob=yes'],
    code: 2,
    message:
      /submitBatchJob=true needs batchRoleArn, batchAccountId, batchManifestBucket[^]*--param batchRoleArn=… --param batchAccountId=… --param batchManifestBucket=… or set aws\.s3BatchOperations/,
  },
  {
    args: [...ok, 'runbook', 'run', 'rb-n-05', '-p', 'table=t'],
    code: 5,
    message: /the lab provider has no DynamoDB/,
  },
  {
    // the lab's breach ports are its front door, login roles and sessions: a lab must exist
    args: [...ok, 'runbook', 'run', 'sb', '--dry-run'],
    code: 3,
    message: /no two-region lab in .*\n.*drkit lab up/,
  },
  {
    args: [...ok, 'drill', 'breach', '--sessions', '0'],
    code: 2,
    message: /--sessions 0: give 1\.\.500/,
  },
  {
    args: [...ok, 'drill', 'breach', '--rate', '0'],
    code: 2,
    message: /--rate 0: give 1\.\.500 writes per second/,
  },
  {
    args: [...ok, 'runbook', 'run', 'rb-n-01', '--dry-run'],
    code: 3,
    message: /no two-region lab in .*\n.*drkit lab up/,
  },
  // config files
  { args: ['-c', '{cfg}/missing.yaml', 'config', 'show'], code: 2, message: /does not exist/ },
  { args: ['-c', '{cfg}/bad-yaml.yaml', 'config', 'show'], code: 2, message: /not valid YAML/ },
  {
    args: ['-c', '{cfg}', 'config', 'show'],
    code: 2,
    message: /cannot be read \(EISDIR\)[^]*not of a directory/,
  },
  {
    args: ['-c', '{cfg}/unknown-key.yaml', 'config', 'show'],
    code: 2,
    message: /unknown key 'targets.rtoTargetMinute'/,
  },
  {
    args: ['-c', '{cfg}/bad-provider.yaml', 'config', 'show'],
    code: 2,
    message: /'provider' = "gcp"/,
  },
  {
    args: ['-c', '{cfg}/negative-rto.yaml', 'config', 'show'],
    code: 2,
    message: /'targets.rtoTargetMinutes' = -5/,
  },
  {
    args: ['-c', '{cfg}/proc.yaml', 'runbook', 'executions'],
    code: 2,
    message: /inside \/proc, a kernel file system/,
  },
  {
    args: ['-c', '{cfg}/through-file.yaml', 'runbook', 'executions'],
    code: 2,
    message: /is a file, not a directory/,
  },
  // the outside world
  {
    args: ['validate', '--source', 'postgres://u@no-such-host.invalid/db', '--target', 'x'],
    code: 12,
    message: /host name not found[^]*check the host name/,
  },
  // the dashboard: refused before any page is written
  { args: ['dashboard', '--serve', '--port', 'x'], code: 2, message: /--port: 'x' is not a port/ },
  {
    args: [...ok, 'dashboard', '--reports', '{cfg}/no-such-dir'],
    code: 2,
    message: /--reports: .*no-such-dir does not exist/,
  },
  {
    args: [...ok, 'dashboard', '--out', '{cfg}/a-file/page.html'],
    code: 2,
    message: /--out: cannot write the dashboard page .*a-file\/page\.html/,
  },
  {
    args: ['-c', '{cfg}/bad-break-glass.yaml', 'verify', '--provider', 'aws'],
    code: 2,
    message: /'aws\.s3\.breakGlassRoleArn' = "break-glass": an IAM role ARN/,
  },
  // a config without its RTO/RPO targets: named, with what to add (matrix, verify, dashboard)
  {
    args: ['-c', '{cfg}/empty-targets.yaml', 'matrix'],
    code: 2,
    message:
      /'targets' is empty: no RTO\/RPO target is set — add `rtoTargetMinutes: <minutes>` and `rpoTargetSeconds: <seconds>` under it[^]*hint: the RTO\/RPO targets are what `drkit matrix`, `drkit verify` and `drkit dashboard` judge against/,
  },
  {
    args: ['-c', '{cfg}/blank-targets.yaml', 'verify'],
    code: 2,
    message:
      /'targets\.rtoTargetMinutes' is missing: the config has no RTO target — add the RTO target in minutes, e\.g\. `rtoTargetMinutes: 30`[^]*'targets\.rpoTargetSeconds' is missing: the config has no RPO target — add the RPO target in seconds/,
  },
  {
    args: ['-c', '{cfg}/component-no-targets.yaml', 'dashboard'],
    code: 2,
    message:
      /'matrix\.components\.search\.rtoTargetMinutes' is missing: 'matrix\.components\.search' has no RTO target[^]*'matrix\.components\.search\.rpoTargetSeconds' is missing: 'matrix\.components\.search' has no RPO target/,
  },
  // config export / drift: refused before any AWS call
  {
    args: [...ok, 'config-drift', '--dir', '{cfg}/no-such-export'],
    code: 3,
    message: /config export directory .*no-such-export does not exist/,
  },
  {
    args: [...ok, 'config-export', '--provider', 'lab'],
    code: 5,
    message: /nothing to export on the lab provider/,
  },
  { args: ['config-drift', '--provider', 'gcp'], code: 2, message: /argument 'gcp' is invalid/ },
  // restore-test: refused before any scratch cluster exists
  {
    args: [...ok, 'restore-test', '--target', 'yesterday'],
    code: 2,
    message: /argument 'yesterday' is invalid\. Allowed choices are latest, random/,
  },
  {
    args: [...ok, 'restore-test', '--provider', 'aws'],
    code: 5,
    message: /restore-test is not built for the aws provider yet/,
  },
  {
    args: [...ok, 'restore-test'],
    code: 4,
    message: /the lab has no app config: nothing names the cluster to test/,
  },
  // incidents: severities, the escalation matrix, the status page key, the desk's ids
  {
    args: [...rb02, '--param', 'target=latest', '--severity', 'SEV9'],
    code: 2,
    message: /unknown severity 'SEV9': the escalation matrix has SEV1, SEV2, SEV3/,
  },
  {
    args: [...rb02, '--param', 'target=latest', '--param', 'severity=SEV9'],
    code: 2,
    message: /unknown severity 'SEV9'/,
  },
  {
    args: [...rb02, '--severity', 'SEV2', '--param', 'severity=SEV3'],
    code: 2,
    message: /--severity and --param severity= disagree/,
  },
  {
    args: [...ok, 'runbook', 'run', 'rb-n-04', '--severity', 'SEV1'],
    code: 2,
    message: /runbook rb-n-04 declares no incident: a severity does not apply/,
  },
  {
    args: ['-c', '{cfg}/unknown-channel.yaml', 'incident', 'list'],
    code: 2,
    message:
      /incidents\.matrix\.SEV1\.notify\.0\.channel.*'pager' is not a configured channel \(configured: log\)/,
  },
  {
    args: ['-c', '{cfg}/email-no-to.yaml', 'config', 'show'],
    code: 2,
    message: /channel 'mail' is email: give the addresses to notify in 'to'/,
  },
  {
    args: ['-c', '{cfg}/statuspage-no-key.yaml', 'incident', 'list'],
    code: 2,
    message: /incidents\.statusPage is Statuspage but DRKIT_TEST_NO_SUCH_KEY is empty/,
  },
  {
    args: [...ok, 'incident', 'ack', 'INC-20261202-000000-beef'],
    code: 3,
    message: /no incident INC-20261202-000000-beef/,
  },
  { args: [...ok, 'incident', 'show', '../etc'], code: 3, message: /incident ids look like INC-/ },
  {
    args: [...ok, 'incident', 'update', 'INC-1'],
    code: 2,
    message: /'-m, --message <text>' not specified/,
  },
  {
    args: [...ok, 'incident', 'update', 'INC-1', '-m', 'x', '--status', 'resolved'],
    code: 2,
    message: /argument 'resolved' is invalid/,
  },
  {
    args: [...ok, 'incident', 'watch', '--for', 'soon'],
    code: 2,
    message: /--for 'soon' is not a positive number/,
  },
  { args: ['incident', 'bogus'], code: 2, message: /unknown command 'bogus'/ },
];

let cfg: string;

beforeAll(() => {
  cfg = mkdtempSync(path.join(tmpdir(), 'drkit-bad-input-'));
  const w = (name: string, text: string) => writeFileSync(path.join(cfg, name), text);
  w('ok.yaml', `stateDir: ${path.join(cfg, 'state')}\n`);
  w('bad-yaml.yaml', 'targets: [unclosed\n');
  w('unknown-key.yaml', 'targets: { rtoTargetMinute: 5 }\n');
  w('bad-provider.yaml', 'provider: gcp\n');
  w('negative-rto.yaml', 'targets: { rtoTargetMinutes: -5 }\n');
  w('proc.yaml', 'stateDir: /proc/drkit\n');
  w('empty-targets.yaml', 'targets:\n');
  w('blank-targets.yaml', 'targets:\n  rtoTargetMinutes:\n  rpoTargetSeconds:\n');
  w(
    'component-no-targets.yaml',
    'matrix:\n  components:\n    search: { tier: 2, scenarios: [search-loss] }\n',
  );
  w('bad-break-glass.yaml', 'aws: { s3: { breakGlassRoleArn: break-glass } }\n');
  w('a-file', '');
  w(
    'unknown-channel.yaml',
    `stateDir: ${path.join(cfg, 'state')}\nincidents: { matrix: { SEV1: { response: 15m, notify: [{ who: CTO, channel: pager }] } } }\n`,
  );
  w(
    'email-no-to.yaml',
    'incidents: { channels: { mail: { type: email, from: a@b.test, smtp: { host: localhost, port: 25 } } }, matrix: { SEV1: { response: 15m, notify: [{ who: CTO, channel: mail }] } } }\n',
  );
  w(
    'statuspage-no-key.yaml',
    `stateDir: ${path.join(cfg, 'state')}\nincidents: { statusPage: { type: statuspage, pageId: p1, apiKeyEnv: DRKIT_TEST_NO_SUCH_KEY } }\n`,
  );
  w('through-file.yaml', `stateDir: ${path.join(cfg, 'a-file', 'sub')}\n`);
  mkdirSync(path.join(cfg, 'state'), { recursive: true });
  chmodSync(cfg, 0o755);
});

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = args.map((a) => a.replaceAll('{cfg}', cfg));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...argv],
      { env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000, cwd: cfg },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Rows also run with `--json` (each kind of refusal once: the CLI start-up is the cost). */
const JSON_SAMPLE = [0, 6, 10, 13, 14, 21, 25, 31, 46, 53, 54, 64];

// Each row is a CLI start-up (~1-2 s on a busy 2-core machine): run a few at once.
describe.concurrent('bad-input catalogue', () => {
  it('holds at least 40 refused inputs', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CATALOGUE.map((c) => [c.args.join(' '), c] as const))(
    'refuses `drkit %s`',
    async (_name, c) => {
      const r = await run(c.args);
      expect(r.code, r.stderr).toBe(c.code);
      expect(r.stderr).toMatch(c.message);
      expect(r.stdout).toBe('');
    },
  );

  it.each(
    JSON_SAMPLE.filter((i) => i < CATALOGUE.length).map(
      (i) => [CATALOGUE[i]!.args.join(' '), CATALOGUE[i]!] as const,
    ),
  )('with --json prints one JSON error document: `drkit --json %s`', async (_name, c) => {
    const r = await run(['--json', ...c.args]);
    expect(r.code, r.stderr).toBe(c.code);
    const doc = JSON.parse(r.stdout) as {
      error: { message: string; code: string; hint?: string };
    };
    expect(typeof doc.error.code).toBe('string');
    expect(`${doc.error.message}\n${doc.error.hint ?? ''}\n${r.stderr}`).toMatch(c.message);
  });
});
