import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DependencyMissingError } from '../engine/errors.js';
import { freePort } from '../util/net.js';
import { startLoopbackServer } from './loopback-server.js';
import { toolBin } from './tools.js';

/** A message as mailpit's API lists it. */
export interface MailpitMessage {
  readonly ID: string;
  /** The Message-ID header, without angle brackets. */
  readonly MessageID: string;
  readonly Subject: string;
  readonly To: readonly { readonly Address: string }[];
  readonly Created: string;
}

/** A running mailpit (an SMTP server with an HTTP API), bound to loopback. */
export interface MailpitServer {
  /** `127.0.0.1` */
  readonly host: string;
  readonly smtpPort: number;
  /** `http://127.0.0.1:<port>`: the HTTP API. */
  readonly apiUrl: string;
  /** Every message received, newest first (all pages). */
  messages(): Promise<MailpitMessage[]>;
  /** Makes every RCPT TO answer `code` (451: temporary refusal), or heals it with `undefined`. */
  refuse(code: number | undefined): Promise<void>;
  /** Deletes every message. */
  clear(): Promise<void>;
  /** Stops the process and removes its data. */
  stop(): Promise<void>;
}

/**
 * Starts mailpit from `.tools/bin` on two free loopback ports (SMTP and API). Its defaults bind
 * every interface and call out for a version check: both are overridden here. Chaos is enabled
 * so that tests and drills can make it refuse mail; any SMTP credentials are accepted.
 */
export async function startMailpit(): Promise<MailpitServer> {
  const bin = toolBin('mailpit');
  if (!existsSync(bin)) {
    throw new DependencyMissingError(`mailpit is not installed (looked for ${bin})`, {
      hint: 'run scripts/bootstrap: it builds mailpit into .tools/bin (or set DRKIT_TOOLS_DIR)',
    });
  }
  const host = '127.0.0.1';
  const [apiPort, smtpPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drkit-mailpit-'));
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  const server = await startLoopbackServer({
    name: 'mailpit',
    command: bin,
    args: (port) => [
      '--listen',
      `${host}:${port}`,
      '--smtp',
      `${host}:${smtpPort}`,
      '--database',
      path.join(dataDir, 'mailpit.db'),
      '--disable-version-check',
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      '--enable-chaos',
      '--quiet',
    ],
    port: apiPort,
    ready: async (url) => (await fetch(`${url}/readyz`)).ok,
  }).catch((err: unknown) => {
    cleanup();
    throw err;
  });
  const apiUrl = server.url;
  const api = async (p: string, init?: RequestInit): Promise<Response> => {
    const r = await fetch(`${apiUrl}${p}`, init);
    if (!r.ok) throw new Error(`mailpit ${init?.method ?? 'GET'} ${p}: HTTP ${r.status}`);
    return r;
  };
  return {
    host,
    smtpPort,
    apiUrl,
    async messages() {
      const all: MailpitMessage[] = [];
      for (let start = 0; ; start += 500) {
        const page = (await (await api(`/api/v1/messages?start=${start}&limit=500`)).json()) as {
          messages: MailpitMessage[];
          messages_count: number;
        };
        all.push(...page.messages);
        if (page.messages.length === 0 || all.length >= page.messages_count) return all;
      }
    },
    async refuse(code) {
      const body = code === undefined ? {} : { Recipient: { ErrorCode: code, Probability: 100 } };
      await api('/api/v1/chaos', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    },
    async clear() {
      await api('/api/v1/messages', { method: 'DELETE' });
    },
    async stop() {
      await server.stop();
      cleanup();
    },
  };
}
