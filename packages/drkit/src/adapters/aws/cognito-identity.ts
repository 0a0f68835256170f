import {
  AdminUserGlobalSignOutCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Identity } from '../../ports/identity.js';
import type { UserPools } from '../../ports/secret-rotation.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { forEachLimited } from './limit.js';

/** A user pool as DescribeUserPool reports it. */
export interface UserPoolDescription {
  readonly poolId: string;
  readonly name: string | undefined;
  /** Cognito's estimate, not a count. */
  readonly estimatedUsers: number | undefined;
}

/** Users per ListUsers page (Cognito's maximum). */
const PAGE = 60;

/** Sign-outs at once when the caller does not say. */
const CONCURRENCY = 8;

/**
 * The identity port on Cognito user pools. `AdminUserGlobalSignOut` takes one user name: the
 * seed's `--username "*"` matches no user, so every user is listed and signed out in turn.
 */
export class CognitoIdentity implements Identity, UserPools {
  readonly kind = 'aws-cognito';
  readonly capabilities: ReadonlySet<'global-sign-out'> = new Set(['global-sign-out' as const]);
  private readonly idp: CognitoIdentityProviderClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.idp = opts.clients.cognito(opts.region);
  }

  async signOutAll(
    poolId: string,
    opts: { readonly concurrency?: number; readonly onProgress?: (done: number) => void } = {},
  ): Promise<{ readonly signedOut: number }> {
    let done = 0;
    let PaginationToken: string | undefined;
    do {
      const page = await awsCall({ action: 'cognito-idp:ListUsers', resource: poolId }, () =>
        this.idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: PAGE, PaginationToken })),
      );
      const names = (page.Users ?? []).map((u) => u.Username).filter((u): u is string => !!u);
      await forEachLimited(names, opts.concurrency ?? CONCURRENCY, async (Username) => {
        await awsCall(
          { action: 'cognito-idp:AdminUserGlobalSignOut', resource: `${poolId}/${Username}` },
          () => this.idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username })),
        );
        opts.onProgress?.(++done);
      });
      PaginationToken = page.PaginationToken;
    } while (PaginationToken);
    return { signedOut: done };
  }

  /** One user listing per page, then one sign-out per user, `concurrency` at a time. */
  planSignOutAll(poolId: string, opts: { readonly concurrency?: number } = {}): string[] {
    return [
      `cognito-idp:ListUsers UserPoolId=${poolId} Limit=${PAGE} (every page, PaginationToken)`,
      `cognito-idp:AdminUserGlobalSignOut UserPoolId=${poolId} Username=<each listed user> (${opts.concurrency ?? CONCURRENCY} at a time)`,
    ];
  }

  planDescribePool(poolId: string): string[] {
    return [`cognito-idp:DescribeUserPool UserPoolId=${poolId}`];
  }

  /** Reads a pool (security-breach preflight), read-only. @throws NotFoundError for an unknown pool */
  async describePool(poolId: string): Promise<UserPoolDescription> {
    const d = await awsCall({ action: 'cognito-idp:DescribeUserPool', resource: poolId }, () =>
      this.idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
    );
    return { poolId, name: d.UserPool?.Name, estimatedUsers: d.UserPool?.EstimatedNumberOfUsers };
  }
}
