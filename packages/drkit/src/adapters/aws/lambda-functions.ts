import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type {
  FunctionAlias,
  Functions,
  FunctionsCapability,
  FunctionVersion,
} from '../../ports/functions.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/**
 * The functions port on AWS Lambda. Unlike the seed's
 * `update-function-configuration --environment "Variables={DB_CLUSTER_ARN=…}"`, which
 * replaces the whole environment, variables are merged into the current ones.
 */
export class LambdaFunctions implements Functions {
  readonly kind = 'aws-lambda';
  readonly capabilities: ReadonlySet<FunctionsCapability> = new Set<FunctionsCapability>([
    'environment',
    'wait-updated',
    'versions',
  ]);
  private readonly lambda: LambdaClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.lambda = opts.clients.lambda(opts.region);
  }

  async getEnvironment(name: string): Promise<Record<string, string>> {
    const c = await awsCall({ action: 'lambda:GetFunctionConfiguration', resource: name }, () =>
      this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
    );
    return { ...(c.Environment?.Variables ?? {}) };
  }

  planGetEnvironment(name: string): string[] {
    return [`lambda:GetFunctionConfiguration FunctionName=${name}`];
  }

  /**
   * One UpdateFunctionConfiguration per function, its current variables kept. A value known
   * only at run time (`<…>`) is shown per variable, as the whole map cannot be written yet.
   */
  planUpdateEnvironment(
    names: readonly string[],
    vars: Readonly<Record<string, string>>,
  ): string[] {
    const entries = Object.entries(vars);
    const later = entries.some(([, v]) => v.startsWith('<') && v.endsWith('>'));
    return names.map((n) =>
      later
        ? `lambda:UpdateFunctionConfiguration FunctionName=${n} ${entries.map(([k, v]) => `Environment.Variables.${k}=${v}`).join(' ')} (other variables kept)`
        : `lambda:UpdateFunctionConfiguration FunctionName=${n} Environment.Variables={…current kept, ${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}, then wait function-updated`,
    );
  }

  async updateEnvironment(
    names: readonly string[],
    vars: Readonly<Record<string, string>>,
  ): Promise<{ readonly changed: readonly string[] }> {
    // read every function first: an unknown name fails the call before anything is changed
    const current = await Promise.all(
      names.map(async (n) => [n, await this.getEnvironment(n)] as const),
    );
    const changed: string[] = [];
    for (const [name, env] of current) {
      if (Object.entries(vars).every(([k, v]) => env[k] === v)) continue;
      await awsCall({ action: 'lambda:UpdateFunctionConfiguration', resource: name }, () =>
        this.lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: name,
            Environment: { Variables: { ...env, ...vars } },
          }),
        ),
      );
      await awsCall({ action: 'lambda:wait function-updated', resource: name }, () =>
        waitUntilFunctionUpdatedV2(
          { client: this.lambda, maxWaitTime: 300, minDelay: 1 },
          { FunctionName: name },
        ),
      );
      changed.push(name);
    }
    return { changed };
  }

  async listVersions(name: string): Promise<FunctionVersion[]> {
    const out: FunctionVersion[] = [];
    let marker: string | undefined;
    do {
      const r = await awsCall({ action: 'lambda:ListVersionsByFunction', resource: name }, () =>
        this.lambda.send(
          new ListVersionsByFunctionCommand({
            FunctionName: name,
            ...(marker ? { Marker: marker } : {}),
          }),
        ),
      );
      for (const v of r.Versions ?? []) {
        if (!v.Version || v.Version === '$LATEST') continue;
        out.push({
          version: v.Version,
          codeSha256: v.CodeSha256 ?? '',
          ...(v.Description ? { description: v.Description } : {}),
          ...(v.LastModified ? { lastModified: v.LastModified } : {}),
        });
      }
      marker = r.NextMarker;
    } while (marker);
    return out.sort((a, b) => Number(a.version) - Number(b.version));
  }

  async getAlias(name: string, alias: string): Promise<FunctionAlias> {
    const r = await awsCall({ action: 'lambda:GetAlias', resource: `${name}:${alias}` }, () =>
      this.lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias })),
    );
    const weights = r.RoutingConfig?.AdditionalVersionWeights;
    return {
      alias,
      version: r.FunctionVersion ?? '',
      ...(weights && Object.keys(weights).length ? { additionalVersionWeights: weights } : {}),
    };
  }

  async pointAlias(name: string, alias: string, version: string): Promise<void> {
    await awsCall({ action: 'lambda:UpdateAlias', resource: `${name}:${alias}` }, () =>
      this.lambda.send(
        new UpdateAliasCommand({
          FunctionName: name,
          Name: alias,
          FunctionVersion: version,
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      ),
    );
  }

  planPointAlias(name: string, alias: string, version: string): string[] {
    return [
      `lambda:UpdateAlias FunctionName=${name} Name=${alias} FunctionVersion=${version} RoutingConfig.AdditionalVersionWeights={}`,
    ];
  }
}
