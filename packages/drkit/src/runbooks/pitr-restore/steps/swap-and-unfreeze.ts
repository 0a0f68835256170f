import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { assertAppPointsAt, pointAppAt } from '../../shared/app-endpoint.js';
import { unfreezeWrites as sharedUnfreeze } from '../../shared/steps/unfreeze-writes.js';
import type { PitrDeps, PitrState } from '../context.js';

/** Points the application at the restored cluster (it reconnects without a restart). */
export function swapConnections(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'swap-connections',
    title: 'Swap the application to the restored cluster',
    destructive: true,
    plan: (ctx) => [
      `secrets(${deps.secrets.kind}) put ${ctx.state.appConfigSecret}: ${deps.appSecretFormat.endpointFields} -> endpoint of '${ctx.state.restoredClusterId ?? ctx.state.newClusterId}', dbClusterId=${ctx.state.restoredClusterId ?? ctx.state.newClusterId} (other fields kept; writes stay frozen)`,
      ...(deps.functions?.names.length
        ? [
            `functions(${deps.functions.port.kind}) ${deps.functions.port
              .planUpdateEnvironment(deps.functions.names, {
                [deps.functions.envVar]:
                  `<${ctx.state.restoredClusterId ?? ctx.state.newClusterId}'s ARN>`,
              })
              .join('; ')}`,
          ]
        : []),
    ],
    async run(ctx) {
      const ep = ctx.state.restoredEndpoint;
      if (!ep || !ctx.state.restoredClusterId)
        throw new PreconditionError('no restored cluster recorded');
      if (
        ctx.state.validation &&
        !ctx.state.validation.ok &&
        ctx.state.validation.mode === 'expected-checksums'
      ) {
        throw new PreconditionError('validation failed: refusing to swap');
      }
      await pointAppAt(deps.secrets, ctx.state.appConfigSecret, ctx.state.restoredClusterId, ep, {
        globalReadonly: true,
        format: deps.appSecretFormat,
      });
      let functionsUpdated: string[] = [];
      if (deps.functions?.names.length) {
        if (!ctx.state.restoredArn)
          throw new PreconditionError(
            `the restored cluster '${ctx.state.restoredClusterId}' has no ARN to give ${deps.functions.envVar}`,
          );
        const r = await deps.functions.port.updateEnvironment(deps.functions.names, {
          [deps.functions.envVar]: ctx.state.restoredArn,
        });
        functionsUpdated = [...r.changed];
        ctx.progress(
          `${deps.functions.envVar} of ${deps.functions.names.join(', ')} → ${ctx.state.restoredArn} (${r.changed.length} changed)`,
        );
      }
      return { swappedAt: new Date().toISOString(), functionsUpdated };
    },
    async verify(ctx) {
      await assertAppPointsAt(
        deps.secrets,
        ctx.state.appConfigSecret,
        ctx.state.restoredClusterId,
        'restored cluster',
        { format: deps.appSecretFormat, host: ctx.state.restoredEndpoint?.host },
      );
      for (const n of deps.functions?.names ?? []) {
        const v = (await deps.functions!.port.getEnvironment(n))[deps.functions!.envVar];
        if (v !== ctx.state.restoredArn)
          throw new Error(
            `${n}'s ${deps.functions!.envVar} is ${v ?? 'unset'}, not ${ctx.state.restoredArn ?? '?'}`,
          );
      }
    },
  };
}

/** Clears `global_readonly`: the application takes writes again, on the restored cluster. */
export function unfreezeWrites(deps: PitrDeps): Step<PitrState> {
  return sharedUnfreeze<PitrState>(deps, {
    clusterOf: (s) => s.restoredClusterId,
    what: 'restored cluster',
  });
}
