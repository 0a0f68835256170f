import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGatewayStages } from '../../adapters/aws/api-gateway-stages.js';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { Journal, summarize } from '../../engine/journal.js';
import type { LabFixture } from '../../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../../testing/moto-cli.js';
import {
  createRotationLambda,
  createWorld,
  finishRotation,
  refreshableCount,
  signedInCount,
  snapshot,
  type BreachWorld,
} from '../../testing/breach-world.js';

/**
 * `drkit runbook run security-breach --provider aws` end to end through the built CLI against a
 * moto server: dry run, a real run with `--yes`, the way back from the journal, a crash after
 * isolate-api resumed with `drkit runbook resume`, and the lab provider without a moto endpoint.
 */
let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
let bare: LabFixture;
let w: BreachWorld;
let crash: BreachWorld;

beforeAll(async () => {
  motoCli = await startMotoCli({ maxAttempts: 1 });
  ({ clients } = motoCli);
  const lambdaArn = await createRotationLambda(motoCli.moto, clients);
  w = await createWorld(clients, 'cli', { users: 5, lambdaArn });
  crash = await createWorld(clients, 'crash', { users: 3, lambdaArn });
  // the targets come from config (aws.breach), as an on-call engineer would have them
  fx = motoCli.fixture({
    breach: { apiStages: w.stages, rotateSecrets: w.secrets, userPools: [w.poolId] },
  });
  bare = motoCli.bareFixture();
}, 120_000);
afterAll(() => motoCli?.stop());

const cli = (...args: string[]) => motoCli.run(['--config', fx.configFile, ...args]);
const journalOf = (id: string) =>
  summarize(Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`)));
const throttle = (ref: string) =>
  new ApiGatewayStages({ clients }).getThrottle(ref.split('/')[0]!, ref.split('/')[1]!);

describe('security-breach --provider aws (moto, built CLI)', () => {
  it('GIVEN targets in config WHEN --dry-run --json THEN every call is printed, the JSON names the run, and nothing changes', async () => {
    const before = await snapshot(clients, w);
    const r = await cli(
      '--json',
      'runbook',
      'run',
      'security-breach',
      '--provider',
      'aws',
      '--dry-run',
      '--param',
      'incidentId=SEC-7',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      dryRun: boolean;
      provider: string;
      state: Record<string, unknown>;
    };
    expect(out).toMatchObject({
      dryRun: true,
      provider: 'aws',
      state: {
        incidentId: 'SEC-7',
        apiStages: w.stages,
        rotateSecrets: w.secrets,
        userPools: [w.poolId],
      },
    });
    expect(r.stderr).toContain(
      `apigateway:UpdateStage restApiId=${w.apiId} stageName=v1 patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:0}`,
    );
    expect(r.stderr).toContain(
      `secretsmanager:RotateSecret SecretId=${w.secrets[0]} RotateImmediately=true RotationLambdaARN=`,
    );
    expect(r.stderr).toContain(
      `cognito-idp:AdminUserGlobalSignOut UserPoolId=${w.poolId} Username=<each listed user>`,
    );
    expect(await snapshot(clients, w)).toEqual(before);
    expect(Journal.list(fx.provider.paths.journalDir)).toEqual([]);
  });

  it('GIVEN the same WHEN run with --yes THEN contained; restore-access --param fromExecution puts the limits back', async () => {
    const r = await cli(
      '--json',
      'runbook',
      'run',
      'sb',
      '--provider',
      'aws',
      '--yes',
      '--param',
      'incidentId=SEC-7',
    );
    expect(r.code, r.stderr).toBe(0);
    const { executionId, state } = JSON.parse(r.stdout) as {
      executionId: string;
      state: { signedOut: Record<string, number>; previousThrottles: unknown[] };
    };
    for (const ref of w.stages)
      expect(await throttle(ref)).toEqual({ rateLimit: 0, burstLimit: 0 });
    expect(state.signedOut).toEqual({ [w.poolId]: 5 });
    expect(await signedInCount(clients, w)).toBe(0);
    expect(await refreshableCount(clients, w)).toBe(0);
    expect(state.previousThrottles).toHaveLength(2);
    // no SNS topic configured: the pages are kept in the state dir
    const notes = existsSync(fx.provider.paths.notificationsFile)
      ? readFileSync(fx.provider.paths.notificationsFile, 'utf8')
      : '';
    expect(notes).toContain('SECURITY BREACH SEC-7');
    expect(notes).not.toContain('pw-cli');

    const back = await cli(
      'runbook',
      'run',
      'security-breach-restore-access',
      '--provider',
      'aws',
      '--yes',
      '--param',
      `fromExecution=${executionId}`,
    );
    expect(back.code, back.stderr).toBe(0);
    for (const ref of w.stages) expect(await throttle(ref)).toEqual(w.limits[ref]);
  });

  it('GIVEN a crash right after isolate-api WHEN resumed THEN it finishes without redoing a completed step, and the recorded limits are the real ones', async () => {
    const params = [
      '--param',
      `apiStages=${crash.stages.join(',')}`,
      '--param',
      `rotateSecrets=${crash.secrets.join(',')}`,
      '--param',
      `userPools=${crash.poolId}`,
      '--param',
      'incidentId=SEC-8',
    ];
    const r = await motoCli.run(
      [
        '--config',
        fx.configFile,
        'runbook',
        'run',
        'security-breach',
        '--provider',
        'aws',
        '--yes',
        ...params,
      ],
      { DRKIT_CRASH_AFTER_STEP: 'isolate-api' },
    );
    expect(r.signal).toBe('SIGKILL');
    const id = Journal.list(fx.provider.paths.journalDir).find(
      (j) => journalOf(j).params.incidentId === 'SEC-8',
    )!;
    expect(journalOf(id).outcome).toBe('incomplete');
    expect([...journalOf(id).completed]).toEqual(['preflight', 'declare', 'isolate-api']);
    for (const ref of crash.stages)
      expect(await throttle(ref)).toEqual({ rateLimit: 0, burstLimit: 0 });
    expect(await signedInCount(clients, crash)).toBe(3); // not reached yet

    const res = await cli('--json', 'runbook', 'resume', id, '--provider', 'aws', '--yes');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('isolate-api already completed (journal): not run again');
    const s = journalOf(id);
    expect(s.outcome).toBe('succeeded');
    const starts = Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`))
      .filter((x) => x.type === 'step-start')
      .map((x) => (x as { step: string }).step);
    expect(starts).toEqual([
      'preflight',
      'declare',
      'isolate-api',
      'rotate-credentials',
      'sign-out-users',
      'record-evidence',
      'notify-done',
    ]);
    expect(s.state.previousThrottles).toEqual(
      crash.stages.map((ref) => ({
        apiId: crash.apiId,
        stage: ref.split('/')[1],
        ...crash.limits[ref],
      })),
    );
    expect(await signedInCount(clients, crash)).toBe(0);
    for (const name of crash.secrets) await finishRotation(clients, name);
  });

  it('GIVEN bad inputs WHEN run THEN exit codes: unknown stage 3 (nothing changed), empty list 2; the lab without aws.endpoint refuses with a hint', async () => {
    const before = await snapshot(clients, w);
    const unknown = await cli(
      'runbook',
      'run',
      'sb',
      '--provider',
      'aws',
      '--yes',
      '--param',
      `apiStages=${w.apiId}/v9`,
    );
    expect(unknown.code, unknown.stderr).toBe(3);
    expect(unknown.stderr).toContain(
      `unknown target: API stage ${w.apiId}/v9; nothing was changed`,
    );
    const empty = await cli(
      'runbook',
      'run',
      'sb',
      '--provider',
      'aws',
      '--yes',
      '--param',
      'userPools=',
    );
    expect(empty.code, empty.stderr).toBe(2);
    expect(empty.stderr).toContain('give at least one user pool');
    expect(await snapshot(clients, w)).toEqual(before);

    const lab = await motoCli.run([
      '--config',
      bare.configFile,
      'runbook',
      'run',
      'security-breach',
      '--provider',
      'lab',
      '--dry-run',
    ]);
    // the lab's own breach ports (front door, login roles, sessions) need a lab
    expect(lab.code).toBe(3);
    expect(lab.stderr).toMatch(/no two-region lab/);
    expect(lab.stderr).toContain('drkit lab up');
  });
});
