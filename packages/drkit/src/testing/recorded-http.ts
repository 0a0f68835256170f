import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { freePort } from '../util/net.js';

/** One recorded request/response pair. `{{name}}` in a request binds a value; in a response, uses it. */
export interface RecordedExchange {
  readonly request: {
    readonly method: string;
    /** Path with query string. */
    readonly path: string;
    /** Headers that must match exactly (lower-case names). @default none checked */
    readonly headers?: Readonly<Record<string, string>>;
    /** The JSON body, compared deeply. @default no body */
    readonly body?: unknown;
  };
  readonly response: {
    readonly status: number;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: unknown;
  };
}

/** A fixture file: where the pairs come from, and the pairs. */
export interface RecordingFile {
  readonly source: string;
  readonly exchanges: readonly RecordedExchange[];
}

/** A request the server saw, with the time it arrived. */
export interface SeenRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/**
 * A real HTTP server replaying recorded pairs in order: each request must match the next
 * recording (method, path, the listed headers, the JSON body), else it answers 599 with what
 * differed and keeps the mismatch. Tests assert no mismatch and every pair used.
 */
export async function startRecordedServer(
  exchanges: readonly RecordedExchange[],
  vars: Record<string, string> = {},
  /** Called with each matching request before it is answered (a test kills its client here). */
  onMatch?: (req: SeenRequest, index: number) => void | Promise<void>,
): Promise<{
  readonly url: string;
  readonly seen: SeenRequest[];
  readonly mismatches: string[];
  readonly vars: Record<string, string>;
  /** Pairs not requested yet. */
  remaining(): number;
  close(): Promise<void>;
}> {
  const seen: SeenRequest[] = [];
  const mismatches: string[] = [];
  let next = 0;
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const body: unknown = data ? JSON.parse(data) : undefined;
      seen.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', body });
      const ex = exchanges[next];
      const problems: string[] = [];
      if (!ex)
        problems.push(
          `unexpected request ${req.method} ${req.url}: the recording has ${exchanges.length}`,
        );
      else {
        if (ex.request.method !== req.method)
          problems.push(`method ${req.method} ≠ ${ex.request.method}`);
        if (ex.request.path !== req.url) problems.push(`path ${req.url} ≠ ${ex.request.path}`);
        for (const [h, v] of Object.entries(ex.request.headers ?? {}))
          if (req.headers[h] !== v) problems.push(`header ${h}: ${String(req.headers[h])} ≠ ${v}`);
        match(ex.request.body, body, '$', vars, problems);
      }
      if (problems.length || !ex) {
        mismatches.push(`#${next + 1}: ${problems.join('; ')}`);
        res
          .writeHead(599, { 'content-type': 'application/json' })
          .end(JSON.stringify({ problems }));
        return;
      }
      const index = next++;
      void Promise.resolve(onMatch?.(seen.at(-1)!, index)).then(() => {
        if (res.destroyed) return;
        const out =
          ex.response.body === undefined ? '' : JSON.stringify(fill(ex.response.body, vars));
        res
          .writeHead(ex.response.status, {
            'content-type': 'application/json',
            ...(ex.response.headers ?? {}),
          })
          .end(out);
      });
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    mismatches,
    vars,
    remaining: () => exchanges.length - next,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Reads a fixture file. */
export function readRecording(file: string): RecordingFile {
  return JSON.parse(readFileSync(file, 'utf8')) as RecordingFile;
}

const VAR = /^\{\{(\w+)\}\}$/;

function match(
  want: unknown,
  got: unknown,
  at: string,
  vars: Record<string, string>,
  problems: string[],
): void {
  if (typeof want === 'string' && VAR.test(want)) {
    const name = VAR.exec(want)![1]!;
    if (typeof got !== 'string') problems.push(`${at}: ${JSON.stringify(got)} is not a string`);
    else if (vars[name] === undefined) vars[name] = got;
    else if (vars[name] !== got) problems.push(`${at}: ${got} ≠ {{${name}}} (${vars[name]})`);
    return;
  }
  if (want === null || typeof want !== 'object' || got === null || typeof got !== 'object') {
    if (want !== got) problems.push(`${at}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
    return;
  }
  if (Array.isArray(want) !== Array.isArray(got)) {
    problems.push(`${at}: array and object`);
    return;
  }
  const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
  for (const k of keys)
    match(
      (want as Record<string, unknown>)[k],
      (got as Record<string, unknown>)[k],
      `${at}.${k}`,
      vars,
      problems,
    );
}

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (m, n: string) => vars[n] ?? m);
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)]));
  return v;
}
