import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../util/proc.js';
import { renderAlertmanagerConfig, renderPrometheusConfig } from './alerting-config.js';

/**
 * The shipped alert rules and the lab's generated configs, checked by Debian's promtool and
 * amtool (packages prometheus 2.42 and prometheus-alertmanager 0.25).
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const RULES = path.join(REPO, 'ops/prometheus/rules.yml');
const dir = mkdtempSync(path.join(tmpdir(), 'drkit-alert-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ops/prometheus/rules.yml', () => {
  it('GIVEN the shipped rules WHEN promtool checks them THEN they are valid', async () => {
    const r = await runCommand(['promtool', 'check', 'rules', RULES]);
    expect(r.stdout + r.stderr).toContain('SUCCESS: 12 rules found');
    expect(r.code).toBe(0);
  });

  it('GIVEN rules.test.yml WHEN promtool runs its unit tests THEN each alert fires on its fault and not on healthy series', async () => {
    const r = await runCommand(['promtool', 'test', 'rules', 'rules.test.yml'], {
      cwd: path.dirname(RULES),
    });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('GIVEN a rule with a broken expression WHEN promtool checks it THEN it fails naming the rule file', async () => {
    const bad = path.join(dir, 'bad-rules.yml');
    writeFileSync(
      bad,
      'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: drkit_primary_up ==\n',
    );
    const r = await runCommand(['promtool', 'check', 'rules', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('bad-rules.yml');
  });
});

describe("the lab's generated configs", () => {
  it('GIVEN the rendered prometheus.yml with the shipped rules WHEN promtool checks it THEN it is valid', async () => {
    const f = path.join(dir, 'prometheus.yml');
    writeFileSync(
      f,
      renderPrometheusConfig({
        intervalSeconds: 1,
        rulesFile: RULES,
        alertmanagerPort: 9093,
        drkitPort: 9464,
        haproxyPort: 8405,
      }),
    );
    const r = await runCommand(['promtool', 'check', 'config', f]);
    expect(r.stdout + r.stderr).toContain('SUCCESS: 12 rules found');
    expect(r.code).toBe(0);
  });

  it('GIVEN the rendered alertmanager.yml WHEN amtool checks it THEN it is valid', async () => {
    const f = path.join(dir, 'alertmanager.yml');
    writeFileSync(f, renderAlertmanagerConfig({ webhookUrl: 'http://127.0.0.1:9464/alerts' }));
    const r = await runCommand(['amtool', 'check-config', f]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});
