import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../engine/errors.js';
import { loadConfig, parseConfig } from './load.js';

describe('config', () => {
  it('gives the lab defaults for an empty config', () => {
    const c = parseConfig({});
    expect(c.provider).toBe('lab');
    expect(c.targets).toEqual({ rtoTargetMinutes: 30, rpoTargetSeconds: 300 });
    expect(c.lab.archiveTimeoutSeconds).toBe(10);
  });

  it('names the key, the value and what is allowed for a bad value', () => {
    expect(() => parseConfig({ targets: { rtoTargetMinutes: -5 } })).toThrow(ConfigError);
    try {
      parseConfig({ targets: { rtoTargetMinutes: -5 } });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain("'targets.rtoTargetMinutes' = -5");
      expect(msg).toMatch(/>0|positive|greater/i);
    }
  });

  it('rejects an unknown provider listing the allowed ones', () => {
    expect(() => parseConfig({ provider: 'gcp' })).toThrow(/'provider' = "gcp".*lab.*aws/s);
  });

  it('rejects misspelt keys', () => {
    expect(() => parseConfig({ targets: { rtoTargetMinute: 5 } })).toThrow(
      /unknown key 'targets.rtoTargetMinute'/,
    );
  });

  it('reports YAML syntax errors with the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-cfg-'));
    const f = path.join(dir, 'drkit.config.yaml');
    writeFileSync(f, 'targets: [unclosed');
    expect(() => loadConfig(f)).toThrow(/not valid YAML/);
  });

  it('refuses an explicit config path that does not exist', () => {
    expect(() => loadConfig('/nonexistent/drkit.yaml')).toThrow(/does not exist/);
  });

  it('loads a YAML file and keeps defaults for the rest', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-cfg-'));
    const f = path.join(dir, 'drkit.config.yaml');
    writeFileSync(f, 'targets:\n  rpoTargetSeconds: 60\n');
    const { config, path: p } = loadConfig(f);
    expect(p).toBe(f);
    expect(config.targets.rpoTargetSeconds).toBe(60);
    expect(config.targets.rtoTargetMinutes).toBe(30);
  });
});
