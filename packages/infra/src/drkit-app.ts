import { Annotations, App, Aspects, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDrContext, type DrContext } from './context.js';
import { AppStack } from './stacks/app-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { KeysStack } from './stacks/keys-stack.js';
import { NetworkStack } from './stacks/network-stack.js';
import { ObservabilityStack } from './stacks/observability-stack.js';
import { OrchestrationStack } from './stacks/orchestration-stack.js';
import { RoutingStack } from './stacks/routing-stack.js';
import { StorageStack } from './stacks/storage-stack.js';

/** Every stack of the two-region warm standby, by region. */
export interface DrkitStacks {
  readonly ctx: DrContext;
  readonly a: {
    readonly keys: KeysStack;
    readonly network: NetworkStack;
    readonly storage: StorageStack;
    readonly data: DataStack;
    readonly app: AppStack;
    readonly routing: RoutingStack;
    readonly observability: ObservabilityStack;
  };
  readonly b: {
    readonly keys: KeysStack;
    readonly network: NetworkStack;
    readonly storage: StorageStack;
    readonly data: DataStack;
    readonly app: AppStack;
    readonly routing: RoutingStack;
    readonly observability: ObservabilityStack;
    readonly orchestration: OrchestrationStack;
  };
  /** All stacks, in deployment order. */
  readonly all: Stack[];
}

/** Options of {@link buildDrkitApp}. */
export interface BuildOptions {
  /**
   * Apply cdk-nag's AwsSolutions checks as an Aspect.
   * @default true
   */
  readonly nag?: boolean;
}

/**
 * Adds the Tier-2 warm-standby stacks to `app`, reading and validating its context.
 *
 * Deploy order (stack dependencies): A keys → B keys → B storage (replication destination and
 * backup vault must exist) → A storage/data → B data (replica of A's instance) → apps →
 * routing → observability → B orchestration.
 */
export function buildDrkitApp(app: App, opts: BuildOptions = {}): DrkitStacks {
  const ctx = readDrContext((k) => app.node.tryGetContext(k));
  const envA = { account: ctx.account, region: ctx.regionA };
  const envB = { account: ctx.account, region: ctx.regionB };
  // Needed only by the multi-Region key replica and A's health check id; every other
  // cross-region link is a deterministic name (names.ts).
  const common = { crossRegionReferences: true };
  const p = (region: 'A' | 'B', name: string) => `Drkit${region}-${name}`;

  const keysA = new KeysStack(app, p('A', 'Keys'), { env: envA, ...common, ctx, role: 'primary' });
  const keysB = new KeysStack(app, p('B', 'Keys'), {
    env: envB,
    ...common,
    ctx,
    role: 'secondary',
    primaryKey: keysA.dataKey,
  });
  keysB.addStackDependency(keysA);
  const secondaryKeyArn = ctx.useMultiRegionKms
    ? `arn:aws:kms:${ctx.regionB}:${ctx.account}:key/${keysA.dataKey.keyId}`
    : keysB.dataKey.keyArn;

  const netA = new NetworkStack(app, p('A', 'Network'), {
    env: envA,
    ...common,
    cidr: '10.10.0.0/16',
  });
  const netB = new NetworkStack(app, p('B', 'Network'), {
    env: envB,
    ...common,
    cidr: '10.20.0.0/16',
  });

  const storageB = new StorageStack(app, p('B', 'Storage'), {
    env: envB,
    ...common,
    ctx,
    role: 'secondary',
    dataKey: keysB.dataKey,
  });
  const storageA = new StorageStack(app, p('A', 'Storage'), {
    env: envA,
    ...common,
    ctx,
    role: 'primary',
    dataKey: keysA.dataKey,
    secondaryKeyArn,
  });
  storageA.addStackDependency(storageB, 'replication destination bucket must exist');
  storageA.addStackDependency(keysB);

  const dataA = new DataStack(app, p('A', 'Data'), {
    env: envA,
    ...common,
    ctx,
    role: 'primary',
    vpc: netA.vpc,
    dataKey: keysA.dataKey,
    ...(ctx.useMultiRegionKms ? { secondaryKeyArn } : {}),
  });
  dataA.addStackDependency(storageB, 'backup copy destination vault must exist');
  const dataB = new DataStack(app, p('B', 'Data'), {
    env: envB,
    ...common,
    ctx,
    role: 'secondary',
    vpc: netB.vpc,
    dataKey: keysB.dataKey,
  });
  dataB.addStackDependency(dataA, 'the replica needs its source in A');

  const appA = new AppStack(app, p('A', 'App'), {
    env: envA,
    ...common,
    ctx,
    role: 'primary',
    vpc: netA.vpc,
    logsBucket: storageA.logsBucket,
  });
  appA.addStackDependency(dataA, 'the endpoint secret must exist');
  const appB = new AppStack(app, p('B', 'App'), {
    env: envB,
    ...common,
    ctx,
    role: 'secondary',
    vpc: netB.vpc,
    logsBucket: storageB.logsBucket,
  });
  appB.addStackDependency(dataA, 'the endpoint secret replica must exist');

  const routingA = new RoutingStack(app, p('A', 'Routing'), {
    env: envA,
    ...common,
    ctx,
    role: 'primary',
    loadBalancer: appA.web.loadBalancer,
    logsBucket: storageA.logsBucket,
  });
  const routingB = new RoutingStack(app, p('B', 'Routing'), {
    env: envB,
    ...common,
    ctx,
    role: 'secondary',
    loadBalancer: appB.web.loadBalancer,
    logsBucket: storageB.logsBucket,
  });

  const obsA = new ObservabilityStack(app, p('A', 'Observability'), {
    env: envA,
    ...common,
    ctx,
    role: 'primary',
    web: appA.web,
    dbIdentifier: dataA.dbIdentifier,
  });
  const obsB = new ObservabilityStack(app, p('B', 'Observability'), {
    env: envB,
    ...common,
    ctx,
    role: 'secondary',
    web: appB.web,
    dbIdentifier: dataB.dbIdentifier,
  });

  const orchestration = new OrchestrationStack(app, p('B', 'Orchestration'), {
    env: envB,
    ...common,
    ctx,
    primaryHealthCheckId: routingA.healthCheck.healthCheckId,
    postCheckHealthCheckId: routingB.healthCheck.healthCheckId,
    loadBalancer: appB.web.loadBalancer,
    topic: obsB.topic,
    restoreTarget: dataB.restoreTarget!,
  });
  orchestration.addStackDependency(dataB);

  const all: Stack[] = [
    keysA,
    keysB,
    netA,
    netB,
    storageB,
    storageA,
    dataA,
    dataB,
    appA,
    appB,
    routingA,
    routingB,
    obsA,
    obsB,
    orchestration,
  ];
  for (const stack of all) {
    // Strong (producer-protecting) references are what we want; say so instead of warning.
    Annotations.of(stack).acknowledgeWarning(
      '@aws-cdk/core:crossStackReferencesDefaultStrong',
      'strong references intended',
    );
  }
  if (opts.nag ?? true) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return {
    ctx,
    a: {
      keys: keysA,
      network: netA,
      storage: storageA,
      data: dataA,
      app: appA,
      routing: routingA,
      observability: obsA,
    },
    b: {
      keys: keysB,
      network: netB,
      storage: storageB,
      data: dataB,
      app: appB,
      routing: routingB,
      observability: obsB,
      orchestration,
    },
    all,
  };
}
