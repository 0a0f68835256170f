/** One smoke check's outcome. */
export interface SmokeResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly detail?: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; region: string | null }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(3000),
  });
  return {
    status: r.status,
    json: (await r.json().catch(() => ({}))) as Record<string, unknown>,
    region: r.headers.get('x-drkit-region'),
  };
}

/**
 * The seed's smoke tests through the front door (`base`): auth, search, profile, checkout in
 * test mode, messaging; plus `/healthz` and the `/dbcheck` write. Never throws: each check
 * reports ok or what went wrong.
 */
export async function runSmokeChecks(base: string): Promise<SmokeResult[]> {
  const checks: Array<[string, () => Promise<string | undefined>]> = [
    ['healthz', async () => expectStatus(await call(base, 'GET', '/healthz'), 200)],
    ['dbcheck', async () => expectStatus(await call(base, 'POST', '/dbcheck'), 200)],
    [
      'auth',
      async () => {
        const r = await call(base, 'POST', '/auth/login', { email: 'user1@example.test' });
        return expectStatus(r, 200) ?? (typeof r.json.token === 'string' ? undefined : 'no token');
      },
    ],
    [
      'search',
      async () => {
        const r = await call(base, 'GET', '/search?q=User%201');
        return (
          expectStatus(r, 200) ??
          ((r.json.results as unknown[] | undefined)?.length ? undefined : 'no results')
        );
      },
    ],
    ['profile', async () => expectStatus(await call(base, 'GET', '/users/1'), 200)],
    [
      'checkout',
      async () => {
        const r = await call(base, 'POST', '/checkout', {
          user_id: 1,
          amount_cents: 1234,
          test_mode: true,
        });
        return expectStatus(r, 201) ?? (r.json.payment ? undefined : 'no payment');
      },
    ],
    [
      'messaging',
      async () => {
        const body = `smoke ${Date.now()}`;
        const w = await call(base, 'POST', '/messages', { user_id: 1, body });
        const bad = expectStatus(w, 201);
        if (bad) return bad;
        const r = await call(base, 'GET', '/messages?user_id=1');
        return (r.json.messages as Array<{ body: string }> | undefined)?.some(
          (m) => m.body === body,
        )
          ? undefined
          : 'message not read back';
      },
    ],
  ];
  const out: SmokeResult[] = [];
  for (const [name, f] of checks) {
    const t = Date.now();
    try {
      const problem = await f();
      out.push({
        name,
        ok: problem === undefined,
        ms: Date.now() - t,
        ...(problem ? { detail: problem } : {}),
      });
    } catch (err) {
      out.push({ name, ok: false, ms: Date.now() - t, detail: (err as Error).message });
    }
  }
  return out;
}

function expectStatus(
  r: { status: number; json: Record<string, unknown> },
  want: number,
): string | undefined {
  return r.status === want ? undefined : `HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 120)}`;
}
