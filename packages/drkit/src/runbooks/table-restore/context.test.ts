import { describe, expect, it } from 'vitest';
import { CapabilityError, PreconditionError, UsageError } from '../../engine/errors.js';
import type { StepContext } from '../../engine/step.js';
import type { KeyValue, TableInfo } from '../../ports/key-value.js';
import { parseConfig } from '../../config/load.js';
import { bindProvider } from '../../providers/index.js';
import { findRunbook } from '../registry.js';
import { restoreTarget, settingsDiff, type TableRestoreState } from './context.js';
import { TableRestoreParamsSchema, withGeneratedNames } from './params.js';
import { preflight } from './steps/preflight.js';
import { tableRestore } from './index.js';

const state = (extra: Record<string, unknown> = {}) =>
  withGeneratedNames(
    TableRestoreParamsSchema.parse({ table: 'rate_limits', ...extra }),
    new Date(1_700_000_000_000),
  ) as TableRestoreState;

/** A key-value double: a global table (moto answers global-table calls with HTTP 500). */
function fakeKeyValue(tables: Record<string, TableInfo>): KeyValue {
  const describeTable = async (name: string) => {
    const t = tables[name];
    if (!t)
      throw new (await import('../../engine/errors.js')).NotFoundError(
        `DynamoDB table ${name} not found`,
      );
    return t;
  };
  const fail = () => Promise.reject(new Error('not in this test'));
  return {
    kind: 'fake',
    capabilities: new Set(['pitr', 'backups']),
    describeTable,
    enablePitr: fail,
    restoreToTime: fail,
    planRestoreToTime: fail,
    createBackup: fail,
    listBackups: fail,
    tagTable: fail,
  };
}

const ctx = (s: TableRestoreState) =>
  ({
    state: s,
    executionId: 'x',
    dryRun: false,
    signal: new AbortController().signal,
    progress: () => undefined,
  }) as StepContext<TableRestoreState>;

describe('RB-N-05 params and helpers', () => {
  it('GIVEN no newTable/backupName THEN the seed names with one unix-seconds stamp', () => {
    expect(state()).toMatchObject({
      newTable: 'rate_limits_restore_1700000000',
      backupName: 'rate_limits_before_restore_1700000000',
      target: 'latest',
      archive: true,
      force: false,
    });
    expect(state({ functions: 'a, b', envVar: 'TABLE_NAME', archive: 'false' })).toMatchObject({
      functions: ['a', 'b'],
      archive: false,
    });
    expect(() =>
      withGeneratedNames(TableRestoreParamsSchema.parse({ table: 'x'.repeat(250) })),
    ).toThrow(UsageError);
  });

  it('GIVEN half a swap target, the same name twice, a bad flag or name THEN refused', () => {
    for (const bad of [
      { configSecret: 's' },
      { functions: 'f' },
      { envVar: 'X' },
      { newTable: 'rate_limits' },
      { archive: 'maybe' },
      { table: 'a' },
      { table: 'bad name' },
      { bogus: 1 },
    ]) {
      expect(
        TableRestoreParamsSchema.safeParse({ table: 'rate_limits', ...bad }).success,
        JSON.stringify(bad),
      ).toBe(false);
    }
  });

  it('GIVEN a target THEN latest, an instant with a zone, or a UsageError', () => {
    expect(restoreTarget({ target: 'latest' })).toBe('latest');
    expect((restoreTarget({ target: '2025-11-06T12:30:00+01:00' }) as Date).toISOString()).toBe(
      '2025-11-06T11:30:00.000Z',
    );
    for (const t of ['2025-11-06T12:30:00', '2025-11-06', 'yesterday', '1700000000'])
      expect(() => restoreTarget({ target: t }), t).toThrow(UsageError);
    expect(() => restoreTarget({ target: '2999-01-01T00:00:00Z' })).toThrow(/in the future/);
  });

  it('GIVEN source and restored settings THEN every difference is named; drkit tags are not compared', () => {
    const src = {
      pitr: true,
      ttlAttribute: 'exp',
      streamViewType: 'NEW_IMAGE',
      tags: { team: 'p' },
    };
    expect(settingsDiff(src, { ...src, tags: { team: 'p', other: 'x' } })).toEqual([]);
    expect(settingsDiff(src, { pitr: false, tags: {} })).toEqual([
      'pitr: off on the new table',
      'ttl: exp on the source, off on the new table',
      'stream: NEW_IMAGE on the source, off on the new table',
      "tag team: 'p' on the source, '(none)' on the new table",
    ]);
  });
});

describe('RB-N-05 preflight on a global table', () => {
  const tables: Record<string, TableInfo> = {
    rate_limits: {
      name: 'rate_limits',
      status: 'ACTIVE',
      arn: 'arn:aws:dynamodb:us-east-1:1:table/rate_limits',
      itemCount: 3,
      pitr: true,
      tags: {},
      replicas: ['us-west-2'],
    },
  };

  it('GIVEN replicas and no force THEN refused, saying to flip to the replica and why force exists', async () => {
    const step = preflight({ keyValue: fakeKeyValue(tables) });
    await expect(step.run(ctx(state()))).rejects.toThrow(PreconditionError);
    await expect(step.plan(ctx(state()))).rejects.toThrow(
      /global table \(replicas in us-west-2\): the seed says flip the app to a replica/,
    );
  });

  it('GIVEN force=true THEN the restore goes ahead and the replicas are recorded', async () => {
    const step = preflight({ keyValue: fakeKeyValue(tables) });
    await expect(step.run(ctx(state({ force: 'true' })))).resolves.toMatchObject({
      replicas: ['us-west-2'],
      sourceItemCount: 3,
    });
    expect((await step.plan(ctx(state({ force: 'true' })))).join('\n')).toContain(
      'restoring anyway (force=true); the new table has no replicas',
    );
  });

  it('GIVEN a config secret but no secrets port THEN a capability error', async () => {
    const step = preflight({
      keyValue: fakeKeyValue({ rate_limits: { ...tables.rate_limits!, replicas: [] } }),
    });
    await expect(step.run(ctx(state({ configSecret: 's', configKey: 'k' })))).rejects.toThrow(
      CapabilityError,
    );
  });
});

describe('rb-n-05 in the registry', () => {
  it('GIVEN its aliases THEN found; config defaults fill the swap targets and --param wins', async () => {
    expect(findRunbook('dynamodb-restore').id).toBe('rb-n-05');
    expect(findRunbook('table-restore').id).toBe('rb-n-05');
    expect(findRunbook('rb-n-05')).toBe(tableRestore);
    const tables = {
      ports: { keyValue: fakeKeyValue({}) },
      config: parseConfig({
        aws: { dynamodb: { configSecret: 'app/config', configKey: 'tableName' } },
      }),
      journalDir: '/nonexistent',
      provider: 'aws',
    };
    await expect(tableRestore.normalize({ table: 'rate_limits' }, tables)).resolves.toMatchObject({
      configSecret: 'app/config',
      newTable: expect.stringMatching(/^rate_limits_restore_\d+$/),
    });
    await expect(
      tableRestore.normalize({ table: 'rate_limits', configKey: 'tbl' }, tables),
    ).resolves.toMatchObject({ configKey: 'tbl' });
    await expect(
      tableRestore.normalize({ table: 'rate_limits', target: 'soon' }, tables),
    ).rejects.toThrow(UsageError);
    const lab = parseConfig({});
    await expect(
      findRunbook('rb-n-05').prepare({ table: 'rate_limits' }, bindProvider('lab', lab, '/tmp'), {
        config: lab,
        journalDir: '/nonexistent',
      }),
    ).rejects.toThrow(CapabilityError);
  });
});
