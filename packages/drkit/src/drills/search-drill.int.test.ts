import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { runSearchDrill } from './search-drill.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../../..');
const dir = mkdtempSync('/tmp/drkit-search-drill-');
chmodSync(dir, 0o755); // the postgres OS user traverses it
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drkit drill search-loss (real Typesense and PostgreSQL)', () => {
  it('GIVEN `lab up --search` and people changed through the app WHEN Typesense is killed and its data deleted THEN RB-N-04 brings hot search back first, then everything, 0 documents missing or stale', async () => {
    const config = ConfigSchema.parse({
      stateDir: path.join(dir, 'state'),
      reportsDir: path.join(dir, 'reports'),
    });
    const res = await runSearchDrill({
      config,
      baseDir: REPO,
      // large enough that the backfill outlasts the front-door probes by far (~1 s quiet)
      people: 20000,
      updatesPerSecond: 30,
      warmupSeconds: 1,
    });
    const f = res.report.facts;
    const md = readFileSync(res.files.markdown, 'utf8'); // shown when an assertion fails
    expect(f.runbook, md).toBe('rb-n-04 succeeded');
    expect(f.documentsMissing).toBe('0');
    expect(f.documentsStale).toBe('0');
    expect(f.documentsExtra).toBe('0');
    expect(f.rtoHotSeconds as number).toBeGreaterThan(0);
    expect(f.rtoHotSeconds as number).toBeLessThanOrEqual(f.rtoFullSeconds as number);
    expect(f.peopleUpdatesAcknowledged as number).toBeGreaterThan(0);
    // through the front door, marked partial while only the hot slice was in
    expect(f.hotMarkedPartial, md).toBe(true);
    // the app's write path kept the index current during and after the reindex
    expect(f.peopleUpdatesDuringReindex as number).toBeGreaterThan(0);
    expect(f.peopleUpdatesAfterFinalSwap as number).toBeGreaterThan(0);
    expect(res.report.outcome).toBe('passed');
    expect(md).toContain('T0');
    expect(md).toContain('hot slice searchable');
  });
});
