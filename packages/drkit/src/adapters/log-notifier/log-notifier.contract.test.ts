import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { notifierContract } from '../../ports/notifier.contract.js';
import { LogNotifier } from './log-notifier.js';

const dir = mkdtempSync(path.join(tmpdir(), 'drkit-notifier-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

notifierContract(
  'LogNotifier',
  () => {
    const file = path.join(dir, 'pages.jsonl');
    return {
      notifier: new LogNotifier(file),
      delivered: async () =>
        existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((text) => ({ text }))
          : [],
    };
  },
  {
    skip: {
      'failure-is-a-dr-error':
        'a local append has no transient delivery failure: a full disk or a read-only directory is not fixed by retrying, so the file error surfaces as it is',
    },
  },
);
