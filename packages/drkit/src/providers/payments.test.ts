import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { CapabilityError } from '../engine/errors.js';
import { emailFailover } from '../runbooks/email-failover/index.js';
import { webhookReplay } from '../runbooks/webhook-replay/index.js';
import { bindProvider } from './index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'drkit-payments-bind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('payment and mail ports on the lab and aws providers', () => {
  it('GIVEN no payments.webhookUrl WHEN RB-N-06 is prepared THEN a CapabilityError naming the port and the key, before anything runs', async () => {
    for (const name of ['lab', 'aws'] as const) {
      const config = parseConfig({});
      const b = bindProvider(name, config, dir);
      try {
        expect(b.has('paymentEvents')).toBe(true);
        expect(b.has('paymentLedger')).toBe(true);
        expect(b.has('webhookEndpoint')).toBe(false);
        const err = await webhookReplay
          .prepare({}, b, { config, journalDir: dir })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CapabilityError);
        expect(`${(err as Error).message} ${(err as CapabilityError).hint}`).toMatch(
          /webhookEndpoint[\s\S]*payments\.webhookUrl/,
        );
      } finally {
        b.close();
      }
    }
  });

  it('GIVEN payments.webhookUrl WHEN bound THEN every RB-N-06 and RB-N-07 port is there (nothing is read yet)', () => {
    const config = parseConfig({
      payments: { webhookUrl: 'http://127.0.0.1:9/webhooks/stripe', flavour: 'localstripe' },
    });
    for (const name of ['lab', 'aws'] as const) {
      const b = bindProvider(name, config, dir);
      try {
        for (const p of [...webhookReplay.needs, ...emailFailover.needs]) {
          expect(b.has(p)).toBe(true);
        }
        expect(b.port('paymentEvents').kind).toBe('localstripe');
        expect(b.port('webhookEndpoint').kind).toBe('http');
        expect(b.port('webhookProcessor').kind).toBe('direct');
        expect(b.port('mailers').kinds).toContain('smtp');
      } finally {
        b.close();
      }
    }
  });
});
