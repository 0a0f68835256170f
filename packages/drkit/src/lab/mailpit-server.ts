import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DependencyMissingError } from '../engine/errors.js';
import { freePort, waitFor } from '../util/net.js';
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
  const child: ChildProcess = spawn(
    bin,
    [
      '--listen',
      `${host}:${apiPort}`,
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
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const apiUrl = `http://${host}:${apiPort}`;
  const api = async (p: string, init?: RequestInit): Promise<Response> => {
    const r = await fetch(`${apiUrl}${p}`, init);
    if (!r.ok) throw new Error(`mailpit ${init?.method ?? 'GET'} ${p}: HTTP ${r.status}`);
    return r;
  };
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`mailpit exited early: ${stderr}`);
        try {
          return (await fetch(`${apiUrl}/readyz`)).ok;
        } catch {
          return false;
        }
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'mailpit to listen' },
    );
  } catch (err) {
    child.kill('SIGKILL');
    cleanup();
    throw err;
  }
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
      if (!exited) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        });
      }
      cleanup();
    },
  };
}
