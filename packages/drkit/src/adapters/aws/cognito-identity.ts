import { AdminUserGlobalSignOutCommand, ListUsersCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Identity } from '../../ports/identity.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { forEachLimited } from './limit.js';

/**
 * The identity port on Cognito user pools. `AdminUserGlobalSignOut` takes one user name: the
 * seed's `--username "*"` matches no user, so every user is listed and signed out in turn.
 */
export class CognitoIdentity implements Identity {
  readonly kind = 'aws-cognito';
  readonly capabilities: ReadonlySet<'global-sign-out'> = new Set(['global-sign-out' as const]);
  private readonly idp: CognitoIdentityProviderClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.idp = opts.clients.cognito(opts.region);
  }

  async signOutAll(poolId: string, opts: { readonly concurrency?: number; readonly onProgress?: (done: number) => void } = {}): Promise<{ readonly signedOut: number }> {
    let done = 0;
    let PaginationToken: string | undefined;
    do {
      const page = await awsCall({ action: 'cognito-idp:ListUsers', resource: poolId }, () =>
        this.idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 60, PaginationToken })),
      );
      const names = (page.Users ?? []).map((u) => u.Username).filter((u): u is string => !!u);
      await forEachLimited(names, opts.concurrency ?? 8, async (Username) => {
        await awsCall({ action: 'cognito-idp:AdminUserGlobalSignOut', resource: `${poolId}/${Username}` }, () =>
          this.idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username })),
        );
        opts.onProgress?.(++done);
      });
      PaginationToken = page.PaginationToken;
    } while (PaginationToken);
    return { signedOut: done };
  }
}
