import { describe, expect, it } from 'vitest';
import { readDrContext } from '../src/context.js';
import { buildApp } from './support.js';

const from = (m: Record<string, unknown>) => (k: string) => m[k];

describe('readDrContext', () => {
  it('GIVEN no context WHEN read THEN the seed defaults apply', () => {
    const ctx = readDrContext(from({}));
    expect(ctx).toMatchObject({
      dbMode: 'rds-postgres',
      warmStandbyTasks: 1,
      useMultiRegionKms: true,
      s3ReplicateDeletes: false,
      rtoTargetMinutes: 30,
      rpoTargetSeconds: 300,
      canaryEnabled: false,
      regionA: 'ap-southeast-2',
      regionB: 'us-west-2',
      backupRetentionDays: 35,
    });
    expect(ctx.alarmEmail).toBeUndefined();
  });

  it('GIVEN CLI strings WHEN read THEN numbers and booleans are parsed', () => {
    const ctx = readDrContext(
      from({ warmStandbyTasks: '2', useMultiRegionKms: 'false', canaryEnabled: 'true' }),
    );
    expect(ctx.warmStandbyTasks).toBe(2);
    expect(ctx.useMultiRegionKms).toBe(false);
    expect(ctx.canaryEnabled).toBe(true);
  });

  it.each([
    [{ dbMode: 'mysql' }, 'Invalid context "dbMode"'],
    [{ warmStandbyTasks: 0 }, 'Invalid context "warmStandbyTasks"'],
    [{ warmStandbyTasks: 'two' }, 'Invalid context "warmStandbyTasks"'],
    [{ warmStandbyTasks: 3 }, 'Invalid context "warmStandbyTasks": must not exceed primaryTasks'],
    [{ alarmEmail: 'not-an-email' }, 'Invalid context "alarmEmail"'],
    [{ webhookUrl: 'http://insecure.example.com' }, 'Invalid context "webhookUrl"'],
    [{ useMultiRegionKms: 'yes' }, 'Invalid context "useMultiRegionKms"'],
    [{ s3ReplicateDeletes: 1 }, 'Invalid context "s3ReplicateDeletes"'],
    [{ rtoTargetMinutes: -5 }, 'Invalid context "rtoTargetMinutes"'],
    [{ rpoTargetSeconds: 1.5 }, 'Invalid context "rpoTargetSeconds"'],
    [{ canaryEnabled: 'maybe' }, 'Invalid context "canaryEnabled"'],
    [{ backupRetentionDays: 3 }, 'Invalid context "backupRetentionDays"'],
    [{ objectLockDays: 60 }, 'Invalid context "objectLockDays"'],
    [{ regionB: 'ap-southeast-2' }, 'Invalid context "regionB": must differ from regionA'],
    [{ regionA: 'mars-1' }, 'Invalid context "regionA"'],
    [{ preferredBackupWindow: '3am' }, 'Invalid context "preferredBackupWindow"'],
  ])('GIVEN %j WHEN read THEN it fails naming the key', (bad, message) => {
    expect(() => readDrContext(from(bad))).toThrow(message);
  });

  it('GIVEN an invalid key in the app context WHEN the app is built THEN synth fails naming it', () => {
    expect(() => buildApp({ dbMode: 'oracle' })).toThrow('Invalid context "dbMode"');
  });
});
