import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const infraDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDirs: string[] = [];

const execFileAsync = promisify(execFile);

/**
 * Runs the real `cdk synth` CLI (cdk.json → tsx src/app.ts) offline into a temp dir.
 * Asynchronous: a synchronous child blocks the test worker long enough for vitest's RPC to time out.
 */
async function cdkSynth(context: Record<string, string>): Promise<string> {
  const out = mkdtempSync(path.join(tmpdir(), 'drkit-synth-'));
  outDirs.push(out);
  const args = ['cdk', 'synth', '--quiet', '--output', out];
  for (const [k, v] of Object.entries(context)) args.push('--context', `${k}=${v}`);
  await execFileAsync('npx', args, {
    maxBuffer: 64 * 1024 * 1024,
    cwd: infraDir,
    // No credentials, no network: synthesis must not need them.
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      CDK_DISABLE_VERSION_CHECK: '1',
    },
    timeout: 240_000,
  });
  return out;
}

afterAll(() => {
  for (const d of outDirs) rmSync(d, { recursive: true, force: true });
});

describe('npx cdk synth (both regions, offline)', () => {
  // One CLI synth (both regions); aurora-global is synthesized by the assertion and cdk-nag tests.
  it.each([['rds-postgres']])(
    'GIVEN dbMode %s WHEN cdk synth runs THEN templates for region A and region B are written',
    async (dbMode) => {
      const out = await cdkSynth({
        dbMode,
        account: '111111111111',
        regionA: 'ap-southeast-2',
        regionB: 'us-west-2',
      });
      const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
      expect(templates).toHaveLength(15);
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        artifacts: Record<string, { type: string; environment?: string }>;
      };
      const envs = new Set(
        Object.values(manifest.artifacts)
          .filter((a) => a.type === 'aws:cloudformation:stack')
          .map((a) => a.environment),
      );
      expect(envs).toEqual(
        new Set(['aws://111111111111/ap-southeast-2', 'aws://111111111111/us-west-2']),
      );
    },
    240_000,
  );
});
