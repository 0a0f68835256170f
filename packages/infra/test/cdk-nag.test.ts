import type { App } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DrkitStacks } from '../src/drkit-app.js';
import { buildApp } from './support.js';

/** cdk-nag findings (errors and warnings) that are not suppressed, per stack. */
function findings(stacks: DrkitStacks): Record<string, string[]> {
  // One synthesis, then every stack's messages (Annotations.fromStack would re-synthesize per stack).
  const assembly = (stacks.all[0]!.node.root as App).synth();
  const out: Record<string, string[]> = {};
  for (const stack of stacks.all) {
    out[stack.stackName] = assembly
      .getStackByName(stack.stackName)
      .messages.filter((m) => m.level === 'error' || m.level === 'warning')
      .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`)
      .filter((m) => /AwsSolutions-|CdkNagValidationFailure/.test(m));
  }
  return out;
}

describe.each([
  ['rds-postgres', {}],
  [
    'aurora-global, single-Region keys, global table',
    {
      dbMode: 'aurora-global',
      useMultiRegionKms: false,
      dynamoGlobalTable: true,
      canaryEnabled: true,
    },
  ],
])('cdk-nag AwsSolutions (%s)', (_name, context) => {
  let result: Record<string, string[]>;
  beforeAll(() => {
    // GIVEN the app with the AwsSolutions checks applied as an Aspect
    // WHEN it synthesizes
    result = findings(buildApp(context, true));
  }, 300_000);

  it('THEN no stack has an unsuppressed error or warning', () => {
    const bad = Object.entries(result).filter(([, f]) => f.length > 0);
    expect(bad).toEqual([]);
    expect(Object.keys(result)).toHaveLength(15);
  });
});

describe('cdk-nag harness', () => {
  it('GIVEN a bucket without logging or SSL enforcement WHEN synthesized THEN the findings are reported', () => {
    const stacks = buildApp({}, true);
    new s3.Bucket(stacks.a.keys, 'Careless');
    const result = findings(stacks);
    expect(result['DrkitA-Keys']!.some((f) => f.includes('AwsSolutions-S1'))).toBe(true);
    expect(result['DrkitA-Keys']!.some((f) => f.includes('AwsSolutions-S10'))).toBe(true);
  }, 300_000);
});
