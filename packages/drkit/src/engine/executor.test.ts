import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbortedError, ConflictError, DrError, StepTimeoutError } from './errors.js';
import { execute, resume, backoffDelay } from './executor.js';
import { Journal, summarize } from './journal.js';
import { TargetLock } from './lock.js';
import type { Runbook } from './runbook.js';
import type { Step } from './step.js';

type S = { target: string; counter?: number; a?: string; b?: string };

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'drkit-engine-'));
}

function runbookOf(steps: Array<Step<S>>): Runbook<S> {
  return { id: 'rb-test', title: 'test', steps, lockKey: (p) => `test:${p.target}` };
}

describe('executor', () => {
  it('runs steps in order, merges outputs into state and journals every step', async () => {
    const dir = tmp();
    const order: string[] = [];
    const rb = runbookOf([
      {
        id: 'one',
        title: 'one',
        plan: () => ['echo one'],
        run: async () => (order.push('one'), { a: 'A' }),
      },
      {
        id: 'two',
        title: 'two',
        plan: () => ['echo two'],
        run: async (ctx) => (order.push('two'), { b: `${ctx.state.a}B` }),
      },
    ]);
    const res = await execute(rb, { target: 'x' }, { journalDir: dir });
    expect(order).toEqual(['one', 'two']);
    expect(res.state.b).toBe('AB');
    const recs = Journal.read(res.journalFile!);
    expect(recs.map((r) => r.type)).toEqual([
      'execution-start',
      'step-start',
      'step-end',
      'step-start',
      'step-end',
      'execution-end',
    ]);
    expect(res.summary?.timeline.map((t) => t.outcome)).toEqual(['succeeded', 'succeeded']);
  });

  it('dry-run calls plan only, writes no journal', async () => {
    const dir = tmp();
    let ran = false;
    const plans: string[][] = [];
    const rb = runbookOf([
      {
        id: 'one',
        title: 'one',
        destructive: true,
        plan: () => ['rm -rf /nothing'],
        run: async () => void (ran = true),
      },
    ]);
    await execute(
      rb,
      { target: 'x' },
      { journalDir: dir, dryRun: true, onEvent: (e) => e.type === 'plan' && plans.push(e.lines) },
    );
    expect(ran).toBe(false);
    expect(plans).toEqual([['rm -rf /nothing']]);
    expect(Journal.list(dir)).toEqual([]);
  });

  it('retries retryable errors with backoff, not others', async () => {
    const dir = tmp();
    let n = 0;
    const rb = runbookOf([
      {
        id: 'flaky',
        title: 'flaky',
        retry: { attempts: 3, baseDelayMs: 1 },
        plan: () => [],
        run: async () => {
          n++;
          if (n < 3) throw new DrError('THROTTLED', 'slow down', { retryable: true });
          return { counter: n };
        },
      },
    ]);
    const res = await execute(rb, { target: 'x' }, { journalDir: dir });
    expect(res.state.counter).toBe(3);
    let m = 0;
    const rb2 = runbookOf([
      {
        id: 'fatal',
        title: 'fatal',
        retry: { attempts: 3, baseDelayMs: 1 },
        plan: () => [],
        run: async () => {
          m++;
          throw new DrError('NOT_FOUND', 'gone');
        },
      },
    ]);
    await expect(execute(rb2, { target: 'y' }, { journalDir: dir })).rejects.toThrow('gone');
    expect(m).toBe(1);
  });

  it('backoff grows and is capped', () => {
    for (let i = 0; i < 50; i++) {
      expect(backoffDelay(1, { baseDelayMs: 100 })).toBeLessThanOrEqual(100);
      expect(backoffDelay(10, { baseDelayMs: 100, maxDelayMs: 1000 })).toBeLessThanOrEqual(1000);
    }
  });

  it('times a step out and aborts its signal', async () => {
    const dir = tmp();
    let aborted = false;
    const rb = runbookOf([
      {
        id: 'slow',
        title: 'slow',
        timeoutMs: 50,
        plan: () => [],
        run: (ctx) =>
          new Promise((resolve) =>
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              resolve();
            }),
          ),
      },
    ]);
    await expect(execute(rb, { target: 'x' }, { journalDir: dir })).rejects.toBeInstanceOf(
      StepTimeoutError,
    );
    expect(aborted).toBe(true);
  });

  it('refuses a destructive step without --yes when nobody can be asked, and resume continues', async () => {
    const dir = tmp();
    const ran: string[] = [];
    const rb = runbookOf([
      { id: 'safe', title: 'safe', plan: () => [], run: async () => void ran.push('safe') },
      {
        id: 'drop',
        title: 'drop',
        destructive: true,
        plan: () => ['DROP'],
        run: async () => void ran.push('drop'),
      },
    ]);
    const err = await execute(rb, { target: 'x' }, { journalDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).hint).toMatch(/--yes/);
    const [id] = Journal.list(dir);
    await resume(rb, id!, { journalDir: dir, yes: true });
    expect(ran).toEqual(['safe', 'drop']);
  });

  it('asks before a destructive step and stops when declined', async () => {
    const dir = tmp();
    let ran = false;
    const rb = runbookOf([
      {
        id: 'drop',
        title: 'drop',
        destructive: true,
        plan: () => ['DROP'],
        run: async () => void (ran = true),
      },
    ]);
    await expect(
      execute(rb, { target: 'x' }, { journalDir: dir, confirm: async () => false }),
    ).rejects.toThrow(/declined/);
    expect(ran).toBe(false);
    await execute(rb, { target: 'y' }, { journalDir: dir, confirm: async () => true });
    expect(ran).toBe(true);
  });

  it('resume never re-runs completed steps and re-runs the interrupted one', async () => {
    const dir = tmp();
    const runs: string[] = [];
    let failSecond = true;
    const rb = runbookOf([
      {
        id: 'one',
        title: 'one',
        plan: () => [],
        run: async () => (runs.push('one'), { a: 'kept' }),
      },
      {
        id: 'two',
        title: 'two',
        plan: () => [],
        run: async () => {
          runs.push('two');
          if (failSecond) throw new Error('crash');
          return {};
        },
      },
      {
        id: 'three',
        title: 'three',
        plan: () => [],
        run: async (ctx) => (runs.push('three'), { b: ctx.state.a }),
      },
    ]);
    await expect(execute(rb, { target: 'x' }, { journalDir: dir })).rejects.toThrow('crash');
    failSecond = false;
    const [id] = Journal.list(dir);
    const res = await resume(rb, id!, { journalDir: dir });
    expect(runs).toEqual(['one', 'two', 'two', 'three']);
    expect(res.state.b).toBe('kept');
    expect(res.summary?.outcome).toBe('succeeded');
  });

  it('tolerates a torn last journal line (crash mid-write)', async () => {
    const dir = tmp();
    const rb = runbookOf([
      { id: 'one', title: 'one', plan: () => [], run: async () => ({ a: '1' }) },
    ]);
    const res = await execute(rb, { target: 'x' }, { journalDir: dir });
    appendFileSync(res.journalFile!, '{"type":"step-sta');
    const s = summarize(Journal.read(res.journalFile!));
    expect(s.outcome).toBe('succeeded');
    expect(readFileSync(res.journalFile!, 'utf8')).toContain('step-sta');
  });

  it('allows one execution per target at a time', () => {
    const dir = tmp();
    const l = TargetLock.acquire(dir, 'postgres:a', 'exec-1');
    expect(() => TargetLock.acquire(dir, 'postgres:a', 'exec-2')).toThrow(ConflictError);
    const other = TargetLock.acquire(dir, 'postgres:b', 'exec-3');
    l.release();
    TargetLock.acquire(dir, 'postgres:a', 'exec-2').release();
    other.release();
  });

  it('skips steps whose condition is false and journals them as skipped', async () => {
    const dir = tmp();
    const rb = runbookOf([
      {
        id: 'maybe',
        title: 'maybe',
        when: (ctx) => ctx.state.target === 'yes',
        plan: () => [],
        run: async () => ({ a: 'ran' }),
      },
    ]);
    const res = await execute(rb, { target: 'no' }, { journalDir: dir });
    expect(res.state.a).toBeUndefined();
    expect(res.summary?.timeline[0]?.outcome).toBe('skipped');
  });
});
