import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseParams } from '../entry.js';
import { RegionFailoverParamsSchema } from '../region-failover/params.js';
import { S3RestoreParamsSchema } from '../s3-restore/params.js';
import { boolParam, parseBool } from './bool-param.js';

describe('boolParam', () => {
  it('GIVEN true/false, 1/0, yes/no in any case THEN the boolean; GIVEN a boolean THEN itself', () => {
    for (const t of ['true', 'TRUE', '1', 'yes', ' Yes ', true, 1])
      expect(parseBool(t), String(t)).toBe(true);
    for (const f of ['false', 'False', '0', 'no', 'NO', false, 0])
      expect(parseBool(f), String(f)).toBe(false);
  });

  it('GIVEN anything else THEN refused, never coerced', () => {
    for (const x of ['maybe', '', 'on', 'off', 'y', 'n', '2', 'truthy', 2, null, {}, []]) {
      expect(parseBool(x), JSON.stringify(x)).toBeUndefined();
    }
    const schema = z.object({ force: boolParam().default(false) }).strict();
    expect(schema.parse({}).force).toBe(false);
    expect(schema.parse({ force: 'no' }).force).toBe(false);
    expect(() => parseParams(schema, { force: 'maybe' }, 'hint')).toThrow(
      '--param force: expected a boolean (true/false, 1/0, yes/no), got "maybe"',
    );
  });

  it('GIVEN preferCopy=false or 0 (issue 17) THEN copy mode stays off; GIVEN maybe THEN refused', () => {
    const base = { bucket: 'media-originals-prod', at: '2025-11-06T12:30:00Z' };
    for (const v of ['false', '0', 'no']) {
      expect(S3RestoreParamsSchema.parse({ ...base, preferCopy: v }).preferCopy, v).toBe(false);
    }
    for (const v of ['true', '1', 'yes']) {
      expect(S3RestoreParamsSchema.parse({ ...base, preferCopy: v }).preferCopy, v).toBe(true);
    }
    expect(S3RestoreParamsSchema.safeParse({ ...base, preferCopy: 'maybe' }).success).toBe(false);
    const rf = {
      ...{ fromRegion: 'a', toRegion: 'b', fromCluster: 'c', toCluster: 'd' },
      ...{ targetTasks: 2, appConfigSecret: 's' },
    };
    expect(RegionFailoverParamsSchema.safeParse({ ...rf, force: '0' }).data?.force).toBe(false);
  });
});
