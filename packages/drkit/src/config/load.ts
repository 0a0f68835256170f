import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../engine/errors.js';
import { ConfigSchema, type DrkitConfig } from './schema.js';

/** The config file name looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'drkit.config.yaml';

/** A loaded config and where it came from (undefined when defaults were used). */
export interface LoadedConfig {
  readonly config: DrkitConfig;
  readonly path: string | undefined;
  /** Directory relative paths in the config are resolved against. */
  readonly baseDir: string;
}

/**
 * Loads and validates the config. An explicit path must exist; without one, `drkit.config.yaml`
 * in `cwd` is used when present, else the lab defaults.
 */
export function loadConfig(explicitPath?: string, cwd = process.cwd()): LoadedConfig {
  const file = explicitPath ? path.resolve(cwd, explicitPath) : path.join(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicitPath) {
      throw new ConfigError(`config file ${file} does not exist`, {
        hint: `create it (an empty file gives the lab defaults) or drop --config to use ./${DEFAULT_CONFIG_FILE}`,
      });
    }
    return { config: parseConfig({}), path: undefined, baseDir: cwd };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // EACCES, EISDIR…: the file cannot be read, which says nothing about its YAML.
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `config file ${file} cannot be read (${code}): ${(err as Error).message}`,
      {
        hint:
          code === 'EISDIR'
            ? 'give the path of the YAML file, not of a directory'
            : 'check the file exists and this user may read it',
        cause: err,
      },
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError ? ` at line ${err.linePos?.[0]?.line ?? '?'}` : '';
    throw new ConfigError(
      `config file ${file} is not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`,
      {
        cause: err,
      },
    );
  }
  const config = parseConfig(raw, file);
  assertStateDirUsable(config.stateDir, path.dirname(file));
  return { config, path: file, baseDir: path.dirname(file) };
}

/** Kernel file systems: creating directories there hangs or fails in odd ways (Node's mkdir). */
const VIRTUAL_FS = ['/proc', '/sys', '/dev'];

/**
 * Refuses a `stateDir` drkit can never write journals and locks to, before anything tries
 * (`mkdirSync` under `/proc` never returns).
 * @throws ConfigError
 */
export function assertStateDirUsable(stateDir: string, baseDir: string): void {
  const abs = path.resolve(baseDir, stateDir);
  const root = VIRTUAL_FS.find((v) => abs === v || abs.startsWith(`${v}/`));
  if (root) {
    throw new ConfigError(
      `'stateDir' = ${JSON.stringify(stateDir)}: ${abs} is inside ${root}, a kernel file system where drkit cannot keep journals and locks`,
      {
        hint: 'point stateDir at a directory on a real disk, e.g. .drkit',
        details: { stateDir: abs },
      },
    );
  }
  // The nearest existing ancestor must be a directory: a file on the way is ENOTDIR later.
  let cur = abs;
  while (!existsSync(cur) && path.dirname(cur) !== cur) cur = path.dirname(cur);
  if (existsSync(cur) && !statSync(cur).isDirectory()) {
    throw new ConfigError(
      `'stateDir' = ${JSON.stringify(stateDir)}: ${cur} is a file, not a directory`,
      {
        hint: 'point stateDir at a directory (it is created when missing)',
        details: { stateDir: abs },
      },
    );
  }
}

/** Validates a raw object; errors name the key, the value given and what is allowed. */
export function parseConfig(raw: unknown, source = 'config'): DrkitConfig {
  const res = ConfigSchema.safeParse(raw);
  if (res.success) return res.data;
  const lines = res.error.issues.map((i) => describeIssue(i, raw));
  const noTargets = res.error.issues.some((i) => missingTarget(i, raw) !== undefined);
  throw new ConfigError(`invalid ${source}:\n${lines.map((l) => `  - ${l}`).join('\n')}`, {
    hint: noTargets
      ? 'the RTO/RPO targets are what `drkit matrix`, `drkit verify` and `drkit dashboard` judge against: give each one a number (or leave `targets` out entirely for the seeds’ 30 min / 300 s); `drkit config show` prints the effective config'
      : 'fix the keys listed above; `drkit config show` prints the effective config with defaults',
    details: {
      issues: res.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}

/** What each RTO/RPO target key means, for the error that names one missing. */
const TARGET_KEYS: Readonly<Record<string, string>> = {
  rtoTargetMinutes: 'the RTO target in minutes, e.g. `rtoTargetMinutes: 30`',
  rpoTargetSeconds: 'the RPO target in seconds, e.g. `rpoTargetSeconds: 300`',
};

/**
 * The sentence for a config without its RTO/RPO targets (an empty `targets:`, a target key with
 * no value, a matrix component without its targets), or undefined for any other issue.
 */
function missingTarget(issue: z.core.$ZodIssue, raw: unknown): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  const given = valueAt(raw, issue.path);
  if (given !== undefined && given !== null) return undefined;
  const key = issue.path.map(String).join('.');
  if (key === 'targets')
    return "'targets' is empty: no RTO/RPO target is set — add `rtoTargetMinutes: <minutes>` and `rpoTargetSeconds: <seconds>` under it (the seeds: 30 and 300)";
  const last = String(issue.path.at(-1));
  const what = TARGET_KEYS[last];
  if (!what) return undefined;
  const owner = issue.path.slice(0, -1).map(String).join('.');
  return `'${key}' is missing: ${owner === 'targets' ? 'the config' : `'${owner}'`} has no ${last.startsWith('rto') ? 'RTO' : 'RPO'} target — add ${what}`;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const target = missingTarget(issue, raw);
  if (target) return target;
  const key = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length ? `${key}.` : '';
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${prefix}${k}'`).join(', ')}: not a drkit setting (check the spelling)`;
  }
  const given = valueAt(raw, issue.path);
  const shown = given === undefined ? 'missing' : JSON.stringify(given);
  return `'${key}' = ${shown}: ${issue.message}`;
}

function valueAt(raw: unknown, p: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = raw;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}
