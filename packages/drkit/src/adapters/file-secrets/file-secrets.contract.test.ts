import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { secretsContract } from '../../ports/secrets.contract.js';
import { FileSecrets } from './file-secrets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'drkit-secrets-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

secretsContract('FileSecrets', () => {
  const secrets = new FileSecrets(dir);
  return {
    secrets,
    async storeRaw(name, text) {
      mkdirSync(path.dirname(secrets.fileOf(name)), { recursive: true });
      writeFileSync(secrets.fileOf(name), text, { mode: 0o600 });
    },
  };
});
