import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execute, type ExecutorEvent } from './executor.js';
import { Journal, summarize } from './journal.js';
import type { Runbook } from './runbook.js';

type S = { target: string };

function runbook(held: string | undefined | Error, ran: string[]): Runbook<S> {
  return {
    id: 'rb-goal',
    title: 'goal',
    lockKey: (p) => `goal:${p.target}`,
    goalHolds: async () => {
      if (held instanceof Error) throw held;
      return held;
    },
    steps: [
      {
        id: 'stop-a',
        title: 'stop A',
        destructive: true,
        plan: () => ['stop A'],
        run: async () => (ran.push('stop-a'), {}),
      },
    ],
  };
}

describe('a runbook whose goal already holds', () => {
  it('says so, runs no step and ends succeeded with the reason journaled', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-goal-'));
    const ran: string[] = [];
    const events: ExecutorEvent[] = [];
    const res = await execute(
      runbook('already failed over', ran),
      { target: 'x' },
      { journalDir: dir, yes: true, onEvent: (e) => events.push(e) },
    );
    expect(ran).toEqual([]);
    expect(events).toEqual([{ type: 'goal-already-holds', reason: 'already failed over' }]);
    const s = summarize(Journal.read(res.journalFile!));
    expect(s.outcome).toBe('succeeded');
    expect(s.events.map((e) => e.name)).toEqual(['goal-already-holds']);
  });

  it('the dry run plans nothing and says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-goal-'));
    const events: ExecutorEvent[] = [];
    await execute(
      runbook('already failed over', []),
      { target: 'x' },
      { journalDir: dir, dryRun: true, onEvent: (e) => events.push(e) },
    );
    expect(events.map((e) => e.type)).toEqual(['goal-already-holds']);
  });

  it('runs the steps when the goal does not hold or cannot be checked', async () => {
    for (const held of [undefined, new Error('router unreachable')]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'drkit-goal-'));
      const ran: string[] = [];
      await execute(runbook(held, ran), { target: 'x' }, { journalDir: dir, yes: true });
      expect(ran).toEqual(['stop-a']);
    }
  });
});
