import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PreconditionError } from './errors.js';
import { execute, resume } from './executor.js';
import { Journal, summarize } from './journal.js';
import type { Runbook } from './runbook.js';

type S = { target: string };

describe('an execution bound to the identity of what it acts on', () => {
  it('records the identity and refuses to resume against a rebuilt system', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-identity-'));
    let world = { createdAt: '2026-12-01T00:00:00Z' };
    let fail = true;
    const ran: string[] = [];
    const rb: Runbook<S> = {
      id: 'rb-identity',
      title: 'identity',
      lockKey: (p) => `id:${p.target}`,
      identity: async () => ({ ...world }),
      steps: [
        {
          id: 'act',
          title: 'act',
          plan: () => [],
          run: async () => {
            ran.push('act');
            if (fail) throw new Error('crash');
            return {};
          },
        },
      ],
    };
    await expect(execute(rb, { target: 'x' }, { journalDir: dir })).rejects.toThrow('crash');
    const [id] = Journal.list(dir);
    expect(summarize(Journal.read(path.join(dir, `${id}.jsonl`))).identity).toEqual(world);

    world = { createdAt: '2026-12-02T00:00:00Z' }; // lab down --destroy; lab up
    fail = false;
    await expect(resume(rb, id!, { journalDir: dir })).rejects.toThrow(PreconditionError);
    await expect(resume(rb, id!, { journalDir: dir })).rejects.toThrow(
      /started against something else/,
    );
    expect(ran).toEqual(['act']);

    world = { createdAt: '2026-12-01T00:00:00Z' }; // the same system again
    const res = await resume(rb, id!, { journalDir: dir });
    expect(res.summary?.outcome).toBe('succeeded');
    expect(ran).toEqual(['act', 'act']);
  });
});
