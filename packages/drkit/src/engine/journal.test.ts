import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DrError } from './errors.js';
import { Journal } from './journal.js';

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'drkit-journal-'));
}

const start = {
  type: 'execution-start' as const,
  at: '2026-12-01T00:00:00.000Z',
  executionId: 'e1',
  runbook: 'rb',
  params: {},
  pid: 1,
};

describe('Journal', () => {
  it('is created 0600 and opening it again appends, never truncates', () => {
    const dir = tmp();
    const j = Journal.create(dir, 'e1');
    j.append(start);
    j.close();
    expect((statSync(j.file).mode & 0o777).toString(8)).toBe('600');
    const before = readFileSync(j.file, 'utf8');
    const k = Journal.open(dir, 'e1');
    k.append({ type: 'resume', at: '2026-12-01T00:00:01.000Z', pid: 2 });
    k.close();
    const after = readFileSync(j.file, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(Journal.read(j.file).map((r) => r.type)).toEqual(['execution-start', 'resume']);
  });

  it("lists journals only, never an execution's side files (`<id>.s3-plan.jsonl`)", () => {
    const dir = tmp();
    for (const id of ['rb-b', 'rb-a']) {
      const j = Journal.create(dir, id);
      j.append({ ...start, executionId: id });
      j.close();
    }
    appendFileSync(path.join(dir, 'rb-a.s3-plan.jsonl'), '{"bucket":"b"}\n');
    appendFileSync(path.join(dir, 'rb-a.s3-applied.jsonl'), '{"s":0}\n');
    appendFileSync(path.join(dir, 'rb-a.lock'), '{}');
    expect(Journal.list(dir)).toEqual(['rb-a', 'rb-b']);
  });

  it('reports a torn last line, and a resume after it starts on a line of its own', () => {
    const dir = tmp();
    const j = Journal.create(dir, 'e1');
    j.append(start);
    j.close();
    appendFileSync(j.file, '{"type":"step-sta');
    const torn = Journal.inspect(j.file);
    expect(torn.torn).toEqual([2]);
    expect(torn.damaged).toBe(false);
    const k = Journal.open(dir, 'e1');
    k.append({ type: 'resume', at: '2026-12-01T00:00:01.000Z', pid: 2 });
    k.close();
    const r = Journal.inspect(j.file);
    expect(r.records.map((x) => x.type)).toEqual(['execution-start', 'resume']);
    expect(r.torn).toEqual([2]);
    expect(r.damaged).toBe(false);
    expect(readFileSync(j.file, 'utf8')).toContain('{"type":"step-sta\n{"type":"resume"');
  });

  it('refuses to resume from a journal where records follow a torn line (two writers)', () => {
    const dir = tmp();
    const j = Journal.create(dir, 'e1');
    j.append(start);
    j.close();
    appendFileSync(
      j.file,
      '{"type":"step-end","st\n{"type":"execution-end","at":"x","outcome":"succeeded"}\n',
    );
    const r = Journal.inspect(j.file);
    expect(r.damaged).toBe(true);
    expect(r.records.map((x) => x.type)).toEqual(['execution-start']);
    expect(() => Journal.readForResume(j.file)).toThrow(DrError);
    expect(() => Journal.readForResume(j.file)).toThrow(/damaged/);
  });

  it('redacts secret keys before they reach the disk', () => {
    const dir = tmp();
    const j = Journal.create(dir, 'e1');
    j.append({
      ...start,
      params: { previousConfig: { endpoint: { host: 'h', password: 'hunter2-canary' } } },
    });
    j.close();
    const text = readFileSync(j.file, 'utf8');
    expect(text).not.toContain('hunter2-canary');
    expect(text).toContain('"host":"h"');
  });
});
