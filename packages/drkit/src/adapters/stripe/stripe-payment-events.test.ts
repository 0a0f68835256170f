import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripePaymentEvents } from './stripe-payment-events.js';

/**
 * A server that lists like Stripe (newest first, pages by `starting_after`) and repeats an
 * event across two pages (an event created while paging): the adapter must return every event
 * once, oldest first, and never send `ending_before`.
 */
const EVENTS = [105, 104, 104, 103, 102, 101].map((created, i) => ({
  id: `evt_${created}_${i === 2 ? 'b' : 'a'}`,
  object: 'event',
  type: 'payment_intent.succeeded',
  created,
  data: { object: {} },
}));
const seen: URLSearchParams[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    seen.push(q);
    const limit = Number(q.get('limit') ?? 10);
    const after = q.get('starting_after');
    // the duplicate: the page after evt_104_a starts with evt_104_a again
    const from = after
      ? EVENTS.findIndex((e) => e.id === after) + (after === 'evt_104_a' ? 0 : 1)
      : 0;
    const data = EVENTS.slice(from, from + limit);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        data,
        has_more: from + limit < EVENTS.length,
        url: '/v1/events',
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('StripePaymentEvents listing', () => {
  it('GIVEN newest-first pages with an event repeated across pages WHEN listed THEN each event once, oldest first, paged with starting_after only', async () => {
    const p = new StripePaymentEvents({ apiKey: 'sk_test_x', apiBase: base });
    const since = Math.floor(Date.now() / 1000) - 60; // the fake server ignores the filter
    const ev = await p.listEvents({ since, pageSize: 2, undeliveredOnly: true });
    expect(ev.map((e) => e.id)).toEqual([
      'evt_101_a',
      'evt_102_a',
      'evt_103_a',
      'evt_104_a',
      'evt_104_b',
      'evt_105_a',
    ]);
    expect(seen.every((q) => !q.has('ending_before'))).toBe(true);
    expect(seen.some((q) => q.get('starting_after') === 'evt_104_a')).toBe(true);
    expect(seen.length).toBe(4); // [105, 104a] [104a again, 104b] [103, 102] [101]
    expect(seen[0]!.get('delivery_success')).toBe('false');
    expect(seen[0]!.get('created[gte]')).toBe(String(since));
  });

  it('GIVEN a start older than the retention WHEN listed THEN refused before any call, the window named', async () => {
    const p = new StripePaymentEvents({ apiKey: 'sk_test_x', apiBase: base });
    const n = seen.length;
    await expect(
      p.listEvents({ since: Math.floor(Date.now() / 1000) - 31 * 86_400 }),
    ).rejects.toThrow(/30-day event retention/);
    expect(seen.length).toBe(n);
  });
});
