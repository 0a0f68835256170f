import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateStageCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGatewayStages } from '../../adapters/aws/api-gateway-stages.js';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { CognitoIdentity } from '../../adapters/aws/cognito-identity.js';
import { startMotoClients, stopMotoClients } from '../../adapters/aws/moto-fixtures.js';
import { SecretsManagerSecrets } from '../../adapters/aws/secrets-manager-secrets.js';
import { NotFoundError, PreconditionError, UsageError } from '../../engine/errors.js';
import { execute, type ExecutorEvent } from '../../engine/executor.js';
import { Journal, summarize } from '../../engine/journal.js';
import type { MotoServer } from '../../lab/moto-server.js';
import type { Notification, Notifier } from '../../ports/notifier.js';
import { findRunbook } from '../registry.js';
import { createRotationLambda, createWorld, finishRotation, refreshableCount, signedInCount, snapshot, type BreachWorld } from './breach-world.js';
import { createRestoreAccessRunbook, createSecurityBreachRunbook, type RestoreAccessState, type SecurityBreachDeps, type SecurityBreachState } from './index.js';

/** A test double that records notifications (SNS delivery has its own moto test). */
class RecordingNotifier implements Notifier {
  readonly kind = 'recording';
  readonly sent: Notification[] = [];
  async notify(msg: Notification): Promise<void> {
    this.sent.push(msg);
  }
}

let moto: MotoServer;
let clients: AwsClients;
let lambdaArn: string;
let w: BreachWorld;
const journalDir = mkdtempSync(path.join(tmpdir(), 'drkit-security-breach-'));

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  lambdaArn = await createRotationLambda(moto, clients);
  // 75 users: ListUsers pages at 60, so the sign-out crosses a page boundary
  w = await createWorld(clients, 'a', { users: 75, lambdaArn });
}, 120_000);
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

function deps(notifier = new RecordingNotifier()): SecurityBreachDeps & { notifier: RecordingNotifier } {
  const identity = new CognitoIdentity({ clients });
  return { apiGateway: new ApiGatewayStages({ clients }), identity, rotation: new SecretsManagerSecrets({ clients }), pools: identity, notifier };
}

const ports = (d: SecurityBreachDeps) => ({ provider: 'aws' as const, breach: () => ({ deps: d, defaults: {}, journalDir }) });

async function params(raw: Record<string, unknown>): Promise<SecurityBreachState> {
  return (await findRunbook('sb').normalize({ apiStages: w.stages.join(','), rotateSecrets: w.secrets.join(','), userPools: w.poolId, incidentId: 'SEC-42', ...raw }, ports(deps()))) as unknown as SecurityBreachState;
}

async function throttleOf(ref: string) {
  const [apiId, stage] = ref.split('/') as [string, string];
  return await new ApiGatewayStages({ clients }).getThrottle(apiId, stage);
}

describe('security-breach on moto', () => {
  it('GIVEN a live API, secrets and 75 signed-in users WHEN --dry-run THEN every API call is planned with its parameters and moto state is unchanged', async () => {
    const d = deps();
    const before = await snapshot(clients, w);
    const events: ExecutorEvent[] = [];
    await execute(createSecurityBreachRunbook(d), await params({}), { journalDir, dryRun: true, onEvent: (e) => events.push(e) });
    expect(await snapshot(clients, w)).toEqual(before);
    expect(d.notifier.sent).toEqual([]);
    expect(Journal.list(journalDir)).toEqual([]);
    const lines = events.flatMap((e) => (e.type === 'plan' ? e.lines : []));
    for (const ref of w.stages) {
      const [apiId, stage] = ref.split('/');
      expect(lines).toContain(
        `aws-apigateway: apigateway:UpdateStage restApiId=${apiId} stageName=${stage} patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:0},{op:replace,path:/*/*/throttling/burstLimit,value:0}]`,
      );
    }
    expect(lines.some((l) => l.includes(`GetStage restApiId=${w.apiId} stageName=v2  # now rate=500 burst=1000`))).toBe(true);
    for (const s of w.secrets) expect(lines).toContain(`aws-secrets-manager: secretsmanager:RotateSecret SecretId=${s} RotateImmediately=true RotationLambdaARN=${lambdaArn}`);
    expect(lines).toContain(`aws-cognito: cognito-idp:AdminUserGlobalSignOut UserPoolId=${w.poolId} Username=<each listed user> (8 at a time)`);
    expect(events.filter((e) => e.type === 'plan' && e.destructive).map((e) => (e as { step: string }).step)).toEqual(['isolate-api', 'rotate-credentials', 'sign-out-users']);
  });

  it('GIVEN unknown targets, a secret without rotation Lambda or empty lists THEN refused before anything changes', async () => {
    const before = await snapshot(clients, w);
    const run = async (raw: Record<string, unknown>) => execute(createSecurityBreachRunbook(deps()), await params(raw), { journalDir, yes: true });
    await expect(run({ apiStages: `${w.apiId}/v2,${w.apiId}/nope` })).rejects.toThrow(new RegExp(`unknown target: API stage ${w.apiId}/nope; nothing was changed`));
    await expect(run({ apiStages: 'nope123/v2' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(run({ userPools: 'us-east-1_nope' })).rejects.toThrow(/user pool us-east-1_nope/);
    await expect(run({ rotateSecrets: `${w.secrets[0]},no-such-secret`, userPools: `${w.poolId},us-east-1_nope` })).rejects.toThrow(/unknown targets: secret no-such-secret, user pool us-east-1_nope/);
    const noLambda = run({ rotateSecrets: w.bareSecret });
    await expect(noLambda).rejects.toBeInstanceOf(PreconditionError);
    await expect(noLambda).rejects.toThrow(/no rotation Lambda is configured for secret radiant-a-legacy/);
    // the preflight failure is journaled and nothing after it started
    for (const id of Journal.list(journalDir)) {
      const s = summarize(Journal.read(path.join(journalDir, `${id}.jsonl`)));
      expect(s.outcome).toBe('failed');
      expect(s.timeline.map((t) => t.step)).toEqual(['preflight']);
    }
    await expect(params({ apiStages: '' })).rejects.toThrow(/give at least one API stage/);
    await expect(params({ userPools: ' , ' })).rejects.toBeInstanceOf(UsageError);
    await expect(params({ apiStages: 'abc123' })).rejects.toThrow(/apiId\/stage/);
    expect(await snapshot(clients, w)).toEqual(before);
  });

  it('GIVEN the incident WHEN run THEN stages at 0 with previous limits recorded, secrets rotated, every user signed out, evidence and pages', async () => {
    expect(await signedInCount(clients, w)).toBe(75);
    const d = deps();
    const secretsBefore = await Promise.all(w.secrets.map((s) => d.rotation.describeRotation(s)));
    const res = await execute(createSecurityBreachRunbook(d), await params({ reason: 'leaked admin key' }), { journalDir, yes: true, executionId: 'sb-real' });
    expect(res.summary?.outcome).toBe('succeeded');

    for (const ref of w.stages) expect(await throttleOf(ref)).toEqual({ rateLimit: 0, burstLimit: 0 });
    expect(res.state.previousThrottles).toEqual(w.stages.map((ref) => ({ apiId: w.apiId, stage: ref.split('/')[1], ...w.limits[ref] })));

    // moto without Docker runs no rotation code: RotateSecret went through the configured
    // Lambda and staged a new version as AWSPENDING (as AWS does while the Lambda works), but
    // no password changed and finishSecret never moves AWSCURRENT — the test does that below
    for (const [i, name] of w.secrets.entries()) {
      const now = await d.rotation.describeRotation(name);
      const r = res.state.rotations!.find((x) => x.name === name)!;
      expect(r.previousVersionId).toBe(secretsBefore[i]!.stages.AWSCURRENT![0]);
      expect(r.newVersionId).not.toBe(r.previousVersionId);
      expect(now.stages.AWSPENDING).toEqual([r.newVersionId]);
      expect(now.stages.AWSCURRENT).toEqual([r.previousVersionId]);
      expect(now.lambdaArn).toBe(lambdaArn);
      expect(now.lastRotatedAt).toBeDefined();
    }
    // a second breach run while those rotations are pending is refused in preflight
    await expect(execute(createSecurityBreachRunbook(d), await params({}), { journalDir, yes: true })).rejects.toThrow(/still in progress/);
    for (const name of w.secrets) await finishRotation(clients, name);

    expect(res.state.signedOut).toEqual({ [w.poolId]: 75 });
    // moto drops the access tokens and revokes the refresh tokens of a signed-out user
    expect(await signedInCount(clients, w)).toBe(0);
    expect(await refreshableCount(clients, w)).toBe(0);

    const ev = res.state.evidence!;
    expect(ev).toMatchObject({ incidentId: 'SEC-42', reason: 'leaked admin key', totalSignedOut: 75 });
    expect(ev.stages).toContainEqual({ stage: `${w.apiId}/v2`, previous: 'rate=500 burst=1000', now: 'rate=0 burst=0' });
    expect(ev.timeline.every((t) => typeof t.at === 'string')).toBe(true);
    const journal = Journal.read(res.journalFile!);
    expect(JSON.stringify(journal)).not.toContain('pw-a'); // no secret value anywhere
    expect(d.notifier.sent.map((n) => n.severity)).toEqual(['critical', 'critical']);
    expect(d.notifier.sent[0]!.subject).toContain('SECURITY BREACH SEC-42');
    expect(d.notifier.sent[1]!.body).toContain('Users signed out: 75');
    expect(d.notifier.sent[1]!.body).toContain('--param fromExecution=sb-real');
  });

  it('GIVEN the breach execution WHEN restore-access from its journal THEN every stage has its old limits back', async () => {
    const d = deps();
    const entry = findRunbook('security-breach-restore-access');
    const dry = (await entry.normalize({ fromExecution: 'sb-real' }, ports(d))) as unknown as RestoreAccessState;
    expect(dry).toMatchObject({ incidentId: 'SEC-42', throttles: w.stages.map((ref) => ({ apiId: w.apiId, stage: ref.split('/')[1], ...w.limits[ref] })) });
    const events: ExecutorEvent[] = [];
    await execute(createRestoreAccessRunbook(d), dry, { journalDir, dryRun: true, onEvent: (e) => events.push(e) });
    for (const ref of w.stages) expect(await throttleOf(ref)).toEqual({ rateLimit: 0, burstLimit: 0 });
    expect(events.flatMap((e) => (e.type === 'plan' ? e.lines : []))).toContain(
      `aws-apigateway: apigateway:UpdateStage restApiId=${w.apiId} stageName=v2 patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:500},{op:replace,path:/*/*/throttling/burstLimit,value:1000}]`,
    );

    const res = await execute(createRestoreAccessRunbook(d), dry, { journalDir, yes: true });
    expect(res.summary?.outcome).toBe('succeeded');
    for (const ref of w.stages) expect(await throttleOf(ref)).toEqual(w.limits[ref]);
    expect(res.state.stagesAtStart).toEqual(w.stages.map((ref) => ({ apiId: w.apiId, stage: ref.split('/')[1], rateLimit: 0, burstLimit: 0 })));
    expect(d.notifier.sent[0]!.subject).toBe('SECURITY BREACH SEC-42: API access restored');

    await expect(entry.normalize({ fromExecution: 'no-such-execution' }, ports(d))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a stage with no limit of its own (account default) WHEN breached and restore-access runs from the journal THEN it has no throttle settings again', async () => {
    const d = deps();
    const apigw = clients.apigateway();
    const deploymentId = (await apigw.send(new GetStageCommand({ restApiId: w.apiId, stageName: 'v2' }))).deploymentId;
    await apigw.send(new CreateStageCommand({ restApiId: w.apiId, stageName: 'open', deploymentId }));
    const ref = `${w.apiId}/open`;
    const getStage = async () => ({ ...(await apigw.send(new GetStageCommand({ restApiId: w.apiId, stageName: 'open' }))), $metadata: undefined });
    const before = await getStage();
    expect(before.methodSettings).toEqual({});

    const breach = await execute(createSecurityBreachRunbook(d), await params({ apiStages: ref, rotateSecrets: w.secrets[0] }), { journalDir, yes: true, executionId: 'sb-open' });
    expect(breach.summary?.outcome).toBe('succeeded');
    expect(breach.state.previousThrottles).toEqual([{ apiId: w.apiId, stage: 'open' }]);
    expect(await throttleOf(ref)).toEqual({ rateLimit: 0, burstLimit: 0 });
    await finishRotation(clients, w.secrets[0]!);

    const p = (await findRunbook('security-breach-restore-access').normalize({ fromExecution: 'sb-open' }, ports(d))) as unknown as RestoreAccessState;
    const events: ExecutorEvent[] = [];
    await execute(createRestoreAccessRunbook(d), p, { journalDir, dryRun: true, onEvent: (e) => events.push(e) });
    expect(events.flatMap((e) => (e.type === 'plan' ? e.lines : []))).toContain(
      `aws-apigateway: apigateway:UpdateStage restApiId=${w.apiId} stageName=open patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:-1},{op:replace,path:/*/*/throttling/burstLimit,value:-1},{op:remove,path:/*/*}]  # back to the account default: the stage's own limits are removed (the remove is skipped while metrics, logging or caching are set there)`,
    );
    const res = await execute(createRestoreAccessRunbook(d), p, { journalDir, yes: true });
    expect(res.summary?.outcome).toBe('succeeded');
    expect(await throttleOf(ref)).toEqual({ rateLimit: undefined, burstLimit: undefined });
    expect(d.notifier.sent.at(-1)!.body).toContain(`${ref}: rate=default burst=default`);

    // GetStage as before, but for what moto 5.2 cannot do: it ignores the `remove` of the
    // stage-wide setting (AWS drops it), so that setting stays with throttling at -1, "not set"
    const after = await getStage();
    expect({ ...after, methodSettings: undefined }).toEqual({ ...before, methodSettings: undefined });
    expect(Object.keys(after.methodSettings ?? {})).toEqual(['*/*']);
    expect(after.methodSettings!['*/*']).toMatchObject({ throttlingRateLimit: -1, throttlingBurstLimit: -1, metricsEnabled: false, cachingEnabled: false });
  });

  it('GIVEN a stage already at 0 WHEN a second breach run records it THEN restore-access from that run refuses to "restore" zeros', async () => {
    const d = deps();
    const [apiId, stage] = w.stages[0]!.split('/') as [string, string];
    await d.apiGateway.setThrottle(apiId, stage, { rateLimit: 0, burstLimit: 0 });
    const before = await snapshot(clients, w);
    const res = await execute(createSecurityBreachRunbook(d), await params({ apiStages: w.stages[0], rotateSecrets: w.secrets[1] }), { journalDir, yes: true, executionId: 'sb-second' });
    expect(res.state.stagesBefore).toEqual([{ apiId, stage, rateLimit: 0, burstLimit: 0, alreadyIsolated: true }]);
    const rb = createRestoreAccessRunbook(d);
    const p = (await findRunbook('security-breach-restore-access').normalize({ fromExecution: 'sb-second' }, ports(d))) as unknown as RestoreAccessState;
    await expect(execute(rb, p, { journalDir, yes: true })).rejects.toThrow(/already isolated/);
    expect((await snapshot(clients, w) as { stages: unknown }).stages).toEqual((before as { stages: unknown }).stages);
    await d.apiGateway.setThrottle(apiId, stage, w.limits[w.stages[0]!]!);
  });
});
