import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
}

/** Concrete value for a resource attribute (`Ref` is attr 'Ref'), by resource type and logical id. */
export type Binder = (type: string, logicalId: string, attr: string) => string;

/**
 * Resolves a synthesized CloudFormation expression (Fn::Join, Ref, Fn::GetAtt, Fn::ImportValue
 * across the app's stacks) into a string, using `bind` for resources that only exist once
 * deployed (here: the ones the test created in moto).
 */
export function makeResolver(
  stacks: CloudFormationStackArtifact[],
  pseudo: Record<string, string>,
  bind: Binder,
) {
  const exports = new Map<string, { tpl: Template; value: Json }>();
  for (const s of stacks) {
    const tpl = s.template as Template;
    for (const o of Object.values(tpl.Outputs ?? {}))
      if (o.Export) exports.set(o.Export.Name, { tpl, value: o.Value });
  }
  const resolve = (expr: Json, tpl: Template): string => {
    if (typeof expr === 'string') return expr;
    if (expr && typeof expr === 'object' && !Array.isArray(expr)) {
      if ('Fn::Join' in expr) {
        const [sep, parts] = expr['Fn::Join'] as [string, Json[]];
        return parts.map((p) => resolve(p, tpl)).join(sep);
      }
      if ('Ref' in expr) {
        const id = expr.Ref as string;
        if (id in pseudo) return pseudo[id]!;
        return bind(tpl.Resources[id]!.Type, id, 'Ref');
      }
      if ('Fn::GetAtt' in expr) {
        const [id, attr] = expr['Fn::GetAtt'] as [string, string];
        return bind(tpl.Resources[id]!.Type, id, attr);
      }
      if ('Fn::ImportValue' in expr) {
        const e = exports.get(expr['Fn::ImportValue'] as string);
        if (!e) throw new Error(`no export ${JSON.stringify(expr)}`);
        return resolve(e.value, e.tpl);
      }
    }
    throw new Error(`cannot resolve ${JSON.stringify(expr)}`);
  };
  return (expr: Json, stack: CloudFormationStackArtifact) =>
    resolve(expr, stack.template as Template);
}

/**
 * Step Functions' SDK integrations name parameters after the Java SDK (`DbInstanceIdentifier`,
 * ECS `Cluster`, Route 53 `DnsName`); moto passes them straight to boto3, which wants the API's
 * own casing (`DBInstanceIdentifier`, `cluster`, `DNSName`) and returns boto3-cased results.
 * This rewrites the keys and JSONPaths the failover machine uses: the only change made to the
 * synthesized definition besides token values.
 */
const TO_BOTO: Record<string, string> = {
  DbInstanceIdentifier: 'DBInstanceIdentifier',
  DbInstance: 'DBInstance',
  DbInstances: 'DBInstances',
  DbInstanceStatus: 'DBInstanceStatus',
  DbClusterIdentifier: 'DBClusterIdentifier',
  DbClusters: 'DBClusters',
  DbSnapshots: 'DBSnapshots',
  DbSnapshotArn: 'DBSnapshotArn',
  DbSnapshotIdentifier: 'DBSnapshotIdentifier',
  DbSubnetGroupName: 'DBSubnetGroupName',
  MultiAz: 'MultiAZ',
  DnsName: 'DNSName',
};
const ECS_TO_BOTO: Record<string, string> = {
  Cluster: 'cluster',
  Service: 'service',
  Services: 'services',
  DesiredCount: 'desiredCount',
  RunningCount: 'runningCount',
  ForceNewDeployment: 'forceNewDeployment',
};

function renameKeys(v: unknown, map: Record<string, string>): unknown {
  if (Array.isArray(v)) return v.map((x) => renameKeys(x, map));
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        const bare = k.endsWith('.$') ? k.slice(0, -2) : k;
        const nk = (map[bare] ?? bare) + (k.endsWith('.$') ? '.$' : '');
        const nx =
          k.endsWith('.$') && typeof x === 'string' ? renamePath(x, map) : renameKeys(x, map);
        return [nk, nx];
      }),
    );
  }
  return v;
}

function renamePath(p: string, map: Record<string, string>): string {
  return p.replace(/[A-Za-z]+/g, (w) => map[w] ?? w);
}

/**
 * moto's JSONPath differs from Step Functions on two shapes the machine uses:
 * `$.List[0].Field` (field right after the index) yields `[value]` (AWS: `value`) and `$.List[*].Field` with one match yields
 * `value` (AWS: `[value]`). Wrapping them in intrinsics gives moto AWS's results.
 */
function motoJsonPath(selector: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(selector).map(([k, v]) => {
      if (typeof v !== 'string' || !k.endsWith('.$')) return [k, v];
      if (/\[0\]\.[A-Za-z]+$/.test(v)) return [k, `States.ArrayGetItem(${v}, 0)`];
      if (/\[\*\]\.[A-Za-z.]+$/.test(v)) return [k, `States.Array(${v})`];
      return [k, v];
    }),
  );
}

/**
 * Adapts an ASL definition's aws-sdk tasks to moto: boto3 casing of parameters and result
 * paths, and moto's JSONPath shapes in result selectors. States, order and logic are untouched.
 */
export function toBotoCasing(asl: { States: Record<string, Record<string, unknown>> }): void {
  for (const state of Object.values(asl.States)) {
    const resource = String(state.Resource ?? '');
    if (!resource.includes(':aws-sdk:')) continue;
    const map = resource.includes(':aws-sdk:ecs:') ? ECS_TO_BOTO : TO_BOTO;
    if (state.Parameters) state.Parameters = renameKeys(state.Parameters, map);
    if (state.ResultSelector)
      state.ResultSelector = motoJsonPath(
        renameKeys(state.ResultSelector, map) as Record<string, unknown>,
      );
  }
}
