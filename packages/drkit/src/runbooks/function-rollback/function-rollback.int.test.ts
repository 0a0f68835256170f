import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { LambdaFunctions } from '../../adapters/aws/lambda-functions.js';
import { NotFoundError, PreconditionError, ValidationFailedError } from '../../engine/errors.js';
import { execute, resume, type ExecutorEvent } from '../../engine/executor.js';
import type { MotoServer } from '../../lab/moto-server.js';
import type { Notification, Notifier } from '../../ports/notifier.js';
import { createRole, startMotoClients, stopMotoClients, zipOf } from '../../testing/moto.js';
import {
  createFunctionRollbackRunbook,
  FunctionRollbackParamsSchema,
  type FunctionRollbackState,
} from './index.js';

class RecordingNotifier implements Notifier {
  readonly kind = 'recording';
  readonly sent: Notification[] = [];
  planNotify(msg: Notification): string[] {
    return [`record "${msg.subject}"`];
  }
  async notify(msg: Notification): Promise<void> {
    this.sent.push(msg);
  }
}

let moto: MotoServer;
let clients: AwsClients;
let apiHashes: string[] = [];
const journalDir = mkdtempSync(path.join(tmpdir(), 'drkit-fn-rollback-'));

/** A function with `releases` published versions (each its own code) and alias `live` on the last. */
async function releasedFunction(name: string, releases: number): Promise<string[]> {
  const lambda = clients.lambda();
  const role = await createRole(moto.endpoint, `${name}-role`);
  const code = (n: number) => zipOf('index.js', `exports.handler = async () => ${n};`);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: role,
      Handler: 'index.handler',
      Code: { ZipFile: code(1) },
    }),
  );
  const hashes: string[] = [];
  for (let n = 1; n <= releases; n++) {
    if (n > 1)
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: code(n) }));
    const v = await lambda.send(
      new PublishVersionCommand({ FunctionName: name, Description: `release ${n}` }),
    );
    hashes.push(v.CodeSha256!);
  }
  await lambda.send(
    new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: String(releases) }),
  );
  return hashes;
}

const liveOf = async (name: string) =>
  (await clients.lambda().send(new GetAliasCommand({ FunctionName: name, Name: 'live' })))
    .FunctionVersion;

const state = (p: Record<string, unknown>) =>
  FunctionRollbackParamsSchema.parse(p) as FunctionRollbackState;

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  apiHashes = await releasedFunction('api', 3);
  await releasedFunction('worker', 2);
  await releasedFunction('single', 1);
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

describe('function rollback on moto (seed 003: Lambda rollback tested)', () => {
  it('GIVEN aliases on the newest release WHEN --dry-run THEN the calls are listed and no alias moves', async () => {
    const events: ExecutorEvent[] = [];
    await execute(
      createFunctionRollbackRunbook({ functions: new LambdaFunctions({ clients }) }),
      state({ functions: 'api,worker' }),
      { journalDir, dryRun: true, onEvent: (e) => events.push(e) },
    );
    const lines = events.flatMap((e) => (e.type === 'plan' ? e.lines : []));
    expect(lines).toContain('lambda:GetAlias FunctionName=api Name=live');
    expect(lines.join('\n')).toContain('lambda:UpdateAlias FunctionName=worker Name=live');
    expect([await liveOf('api'), await liveOf('worker')]).toEqual(['3', '2']);
  });

  it('GIVEN a bad release WHEN rolled back THEN each alias routes to the previous version, read back with its code hash, and a rerun changes nothing', async () => {
    const notifier = new RecordingNotifier();
    const rb = createFunctionRollbackRunbook({
      functions: new LambdaFunctions({ clients }),
      notifier,
    });
    const res = await execute(rb, state({ functions: 'api,worker' }), { journalDir, yes: true });
    expect(res.summary?.outcome).toBe('succeeded');
    expect([await liveOf('api'), await liveOf('worker')]).toEqual(['2', '1']);
    expect(res.state.moves?.map((m) => `${m.function} ${m.from}→${m.to}`)).toEqual([
      'api 3→2',
      'worker 2→1',
    ]);
    expect(res.state.moved).toEqual(['api', 'worker']);
    // each release has its own code: the verification's hash comparison can tell them apart
    expect(new Set(apiHashes).size).toBe(3);
    expect(res.state.moves![0]!.toCodeSha256).toBe(apiHashes[1]);
    expect(res.state.verifiedAt).toBeDefined();
    expect(notifier.sent[0]!.body).toContain('to go forward again');
    // a named version, then the same again: the second run moves nothing
    const again = await execute(rb, state({ functions: 'api', version: '1' }), {
      journalDir,
      yes: true,
    });
    expect(again.state.moved).toEqual(['api']);
    const third = await execute(rb, state({ functions: 'api', version: '1' }), {
      journalDir,
      yes: true,
    });
    expect(third.state.moved).toEqual([]);
    expect(await liveOf('api')).toBe('1');
  });

  it('GIVEN weighted routing to a canary WHEN rolled back THEN the weight is removed too', async () => {
    await clients.lambda().send(
      new UpdateAliasCommand({
        FunctionName: 'api',
        Name: 'live',
        FunctionVersion: '3',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
      }),
    );
    const res = await execute(
      createFunctionRollbackRunbook({ functions: new LambdaFunctions({ clients }) }),
      state({ functions: 'api', version: '2' }),
      { journalDir, yes: true },
    );
    expect(res.state.moves![0]!.fromWeights).toEqual({ '2': 0.1 });
    const a = await new LambdaFunctions({ clients }).getAlias('api', 'live');
    expect(a).toEqual({ alias: 'live', version: '2' });
  });

  it('GIVEN a version that does not exist, an unknown function, or nothing older THEN a clear error and no alias moved', async () => {
    const before = [await liveOf('api'), await liveOf('worker'), await liveOf('single')];
    const rb = createFunctionRollbackRunbook({ functions: new LambdaFunctions({ clients }) });
    const run = (p: Record<string, unknown>) =>
      execute(rb, state(p), { journalDir, yes: true }).catch((e: unknown) => e);
    const missing = (await run({ functions: 'worker,api', version: '99' })) as Error;
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toBe('worker has no published version 99');
    expect((missing as NotFoundError).hint).toContain('published versions: 1, 2');
    const unknown = (await run({ functions: 'api,nosuchfn' })) as Error;
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown.message).toContain('nosuchfn');
    const oldest = (await run({ functions: 'single' })) as Error;
    expect(oldest).toBeInstanceOf(PreconditionError);
    expect(oldest.message).toBe(
      'single:live routes to version 1: no older published version to roll back to',
    );
    expect([await liveOf('api'), await liveOf('worker'), await liveOf('single')]).toEqual(before);
    expect(() => state({ functions: 'api', version: 'latest' })).toThrow(/published version/);
    expect(() => state({ functions: '' })).toThrow(/at least one function/);
  });

  it('GIVEN the alias moved by someone else after the move WHEN verified THEN it fails, and resume after putting it back passes', async () => {
    const functions = new LambdaFunctions({ clients });
    // the verification step sees the alias moved away between the move and the check
    const racing = {
      ...functions,
      kind: functions.kind,
      capabilities: functions.capabilities,
      getEnvironment: functions.getEnvironment.bind(functions),
      updateEnvironment: functions.updateEnvironment.bind(functions),
      planGetEnvironment: functions.planGetEnvironment.bind(functions),
      planUpdateEnvironment: functions.planUpdateEnvironment.bind(functions),
      listVersions: functions.listVersions.bind(functions),
      getAlias: functions.getAlias.bind(functions),
      planPointAlias: functions.planPointAlias.bind(functions),
      pointAlias: async (name: string, alias: string, version: string) => {
        await functions.pointAlias(name, alias, version);
        await functions.pointAlias(name, alias, '3'); // a deploy pipeline racing the rollback
      },
    };
    const rb = createFunctionRollbackRunbook({ functions: racing });
    const err = await execute(rb, state({ functions: 'api', version: '1' }), {
      journalDir,
      yes: true,
      executionId: 'fn-rollback-race',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationFailedError);
    expect((err as Error).message).toBe('rollback not in effect: api:live routes to 3, not 1');
    await functions.pointAlias('api', 'live', '1');
    const res = await resume(createFunctionRollbackRunbook({ functions }), 'fn-rollback-race', {
      journalDir,
      yes: true,
    });
    expect(res.summary?.outcome).toBe('succeeded');
    expect(await liveOf('api')).toBe('1');
  });
});
