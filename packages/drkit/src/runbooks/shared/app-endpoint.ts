import { PreconditionError } from '../../engine/errors.js';
import type { AppSecretFormat, AppSecretView } from '../../ports/app-secret.js';
import type { Endpoint } from '../../ports/database.js';
import type { Secrets } from '../../ports/secrets.js';

/**
 * The app's endpoint secret as every recovery reads and writes it: the store and the layout.
 * Runbooks hold one of these in their deps (`secrets` + `appSecretFormat`).
 */
export interface AppEndpointDeps {
  readonly secrets: Secrets;
  readonly appSecretFormat: AppSecretFormat;
}

/** Reads the app's endpoint secret through its layout. @throws NotFoundError */
export async function viewApp(
  secrets: Secrets,
  name: string,
  format: AppSecretFormat,
): Promise<AppSecretView> {
  return format.view(await secrets.get(name));
}

/** Sets `global_readonly` (every layout), every other field kept. */
export async function setGlobalReadonly(
  secrets: Secrets,
  name: string,
  on: boolean,
): Promise<void> {
  const v = await secrets.get(name);
  await secrets.put(name, { ...v, global_readonly: on });
}

/**
 * Points the app at another cluster (the swap every recovery ends with): keeps the database
 * name and every other key, sets `global_readonly` when given. The app reconnects by itself.
 */
export async function pointAppAt(
  secrets: Secrets,
  name: string,
  clusterId: string,
  endpoint: Endpoint,
  opts: { globalReadonly?: boolean; format: AppSecretFormat },
): Promise<void> {
  const v = await secrets.get(name);
  const next = opts.format.point(v, clusterId, endpoint);
  await secrets.put(
    name,
    opts.globalReadonly === undefined ? next : { ...next, global_readonly: opts.globalReadonly },
  );
}

/**
 * Throws unless the app's secret names `clusterId` — and, when given, `host` (a step's verify
 * after {@link pointAppAt}).
 */
export async function assertAppPointsAt(
  secrets: Secrets,
  name: string,
  clusterId: string | undefined,
  what: string,
  opts: { format: AppSecretFormat; host?: string | undefined },
): Promise<void> {
  const v = await viewApp(secrets, name, opts.format);
  if (v.clusterId !== clusterId)
    throw new Error(
      `the app config names '${v.clusterId ?? 'no cluster'}', not the ${what} '${clusterId ?? '?'}'`,
    );
  if (opts.host !== undefined && v.endpoint?.host !== opts.host)
    throw new Error(
      `the app config names host ${v.endpoint?.host ?? 'none'}, not the ${what}'s ${opts.host}`,
    );
}

/**
 * Lifts `global_readonly`, but only while the app points at `clusterId`: unfreezing writes
 * onto the wrong (old, corrupted, fenced) database is the one mistake this must never make.
 * @throws PreconditionError when the app config names another cluster.
 */
export async function unfreezeApp(
  secrets: Secrets,
  name: string,
  clusterId: string | undefined,
  what: string,
  format: AppSecretFormat,
): Promise<void> {
  const v = await viewApp(secrets, name, format);
  if (v.clusterId !== clusterId) {
    throw new PreconditionError(`refusing to unfreeze: the app does not point at the ${what} yet`, {
      hint: `it names '${v.clusterId ?? 'no cluster'}'; run the step that swaps connections first`,
    });
  }
  await setGlobalReadonly(secrets, name, false);
}
