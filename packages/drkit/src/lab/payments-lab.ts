import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PAYMENTS_SCHEMA_SQL } from '../app/payments/schema.js';
import type { DrkitConfig } from '../config/schema.js';
import { NotFoundError } from '../engine/errors.js';
import { freePort } from '../util/net.js';
import { readAppConfig, writeAppConfig, type AppPaymentsConfig } from './app-config.js';
import { DetachedProcess } from './detached-process.js';
import {
  addLocalstripeWebhook,
  LOCALSTRIPE_LAUNCHER,
  localstripePython,
  localstripeReady,
} from './localstripe-server.js';
import { connectEndpoint, type LabProvider } from './provider.js';
import { readTopology } from './regions.js';

/** The id of the lab's webhook endpoint at localstripe. */
export const LAB_WEBHOOK_ID = 'drkit-lab';
/** The events the app's handler acts on: the ones localstripe is asked to deliver. */
export const LAB_WEBHOOK_EVENTS = ['payment_intent.succeeded', 'payment_intent.payment_failed'];

/** `<labDir>/payments.json`: what `lab up --payments` built. */
export interface LabPaymentsState {
  /** localstripe's port on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the Stripe API base the app and RB-N-06 use. */
  readonly apiBase: string;
  /** Where localstripe delivers: the front door's `/webhooks/stripe`. */
  readonly webhookUrl: string;
  /** The secret names (never their values). */
  readonly apiKeySecret: string;
  readonly webhookSecret: string;
}

const stateFile = (p: LabProvider) => path.join(p.paths.labDir, 'payments.json');
const proc = (p: LabProvider) =>
  new DetachedProcess(path.join(p.paths.labDir, 'payments'), 'localstripe');

/** The lab's payments record, when `lab up --payments` made one. */
export function readLabPayments(p: LabProvider): LabPaymentsState | undefined {
  const f = stateFile(p);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as LabPaymentsState) : undefined;
}

/** localstripe's pid while it runs. */
export function localstripePid(p: LabProvider): number | undefined {
  return proc(p).pid();
}

/**
 * `drkit lab up --payments` (after the front door is up): the payments tables in the app's
 * database, localstripe as a detached process on loopback (its store in memory, never
 * `/tmp/localstripe.pickle`: see localstripe-server.ts), the API key and webhook signing
 * secrets in the lab's secrets (made once, kept), localstripe's webhook registered to the
 * front door's `/webhooks/stripe`, and the `payments` section in the app config. Again on a
 * lab that has it: starts localstripe if stopped and registers the webhook again (localstripe
 * forgets it, and every payment, when it stops).
 * @throws NotFoundError without a front door (run `drkit lab up` first)
 */
export async function labUpPayments(
  p: LabProvider,
  config: DrkitConfig,
  opts: { progress?: (m: string) => void } = {},
): Promise<LabPaymentsState> {
  const say = opts.progress ?? (() => undefined);
  const topo = readTopology(p);
  if (!topo)
    throw new NotFoundError(`no front door in ${p.paths.stateDir}`, {
      hint: 'run `drkit lab up` first',
    });
  const python = localstripePython();
  const app = await readAppConfig(p.secrets);
  const c = await connectEndpoint(app.db);
  try {
    await c.query(PAYMENTS_SCHEMA_SQL);
  } finally {
    await c.end();
  }
  const prev = readLabPayments(p);
  const port = prev?.port ?? (await freePort());
  const state: LabPaymentsState = {
    port,
    apiBase: `http://127.0.0.1:${port}`,
    webhookUrl: `http://127.0.0.1:${topo.frontDoorPort}/webhooks/stripe`,
    apiKeySecret: config.payments.apiKeySecret,
    webhookSecret: config.payments.webhookSecret,
  };
  mkdirSync(p.paths.labDir, { recursive: true });
  writeFileSync(stateFile(p), JSON.stringify(state, null, 2) + '\n'); // before the start: `lab down` finds it
  const secret = await ensureSecret(p, state.webhookSecret, 'secret', 'whsec_lab_');
  await ensureSecret(p, state.apiKeySecret, 'apiKey', 'sk_test_lab_');
  say(`payments: localstripe on ${state.apiBase}`);
  await proc(p).start([python, '-c', LOCALSTRIPE_LAUNCHER, String(port)], () =>
    localstripeReady(state.apiBase),
  );
  say(`payments: webhooks to ${state.webhookUrl}`);
  await addLocalstripeWebhook(
    state.apiBase,
    LAB_WEBHOOK_ID,
    state.webhookUrl,
    secret,
    LAB_WEBHOOK_EVENTS,
  );
  const section: AppPaymentsConfig = {
    apiBase: state.apiBase,
    flavour: 'localstripe',
    apiKeySecret: state.apiKeySecret,
    webhookSecret: state.webhookSecret,
  };
  await writeAppConfig(p.secrets, { ...(await readAppConfig(p.secrets)), payments: section });
  return state;
}

/** Stops the lab's localstripe (its store is in memory: payments and webhook config go with it). Idempotent. */
export async function stopPayments(p: LabProvider): Promise<void> {
  await proc(p).stop();
}

/** The value of `field` in secret `name`, made (a random one with `prefix`) when missing. */
async function ensureSecret(
  p: LabProvider,
  name: string,
  field: string,
  prefix: string,
): Promise<string> {
  const cur = await p.secrets.get(name).catch((err: unknown) => {
    if (err instanceof NotFoundError) return {} as Record<string, unknown>;
    throw err;
  });
  const v = cur[field];
  if (typeof v === 'string' && v) return v;
  const made = prefix + randomBytes(12).toString('hex');
  await p.secrets.put(name, { ...cur, [field]: made });
  return made;
}
