import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering docs/architecture.md promises, checked on the source: which folders may import
 * which, and no import circle among production modules.
 */
const SRC = path.dirname(fileURLToPath(import.meta.url));

function productionFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (path.relative(SRC, p) !== 'testing') out.push(...productionFiles(p));
    } else if (name.endsWith('.ts') && !name.includes('.test.') && !name.includes('.contract.'))
      out.push(path.relative(SRC, p));
  }
  return out;
}

/** Relative imports of a file, as paths below src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from '(\.[^']+)'/g))
    out.push(path.normalize(path.join(path.dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
  return out;
}

const files = productionFiles();
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));
const top = (f: string) => f.split(path.sep)[0]!;

describe('layers', () => {
  it.each([
    ['runbooks', ['lab', 'adapters', 'providers', 'cli', 'drills']],
    ['engine', ['adapters', 'lab', 'providers', 'runbooks', 'cli', 'drills']],
    ['ports', ['adapters', 'lab', 'providers', 'runbooks', 'cli', 'drills']],
    ['adapters', ['lab', 'providers', 'runbooks', 'cli', 'drills']],
    ['incidents', ['adapters', 'lab', 'providers', 'runbooks', 'cli', 'drills']],
    ['providers', ['runbooks', 'cli', 'drills']],
    ['cli', ['adapters']],
  ])('GIVEN %s WHEN its imports are read THEN none reaches %j', (layer, forbidden) => {
    const bad = [...graph]
      .filter(([f]) => top(f) === layer)
      .flatMap(([f, ts]) => ts.filter((t) => forbidden.includes(top(t))).map((t) => `${f} → ${t}`));
    expect(bad).toEqual([]);
  });

  it('GIVEN ports WHEN they import the engine THEN only its error catalogue (the errors a contract names)', () => {
    const bad = [...graph]
      .filter(([f]) => top(f) === 'ports')
      .flatMap(([f, ts]) =>
        ts
          .filter((t) => top(t) === 'engine' && t !== path.join('engine', 'errors.ts'))
          .map((t) => `${f} → ${t}`),
      );
    expect(bad).toEqual([]);
  });

  it('GIVEN every production module WHEN imports are followed THEN no circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === 'open')
          circles.push([...stack.slice(stack.indexOf(t)), t].join(' → '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(circles).toEqual([]);
  });
});
