import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { NotFoundError, PreconditionError, UsageError } from '../../engine/errors.js';
import type { Secrets } from '../../ports/secrets.js';
import { rememberSecretValues } from '../../engine/redact.js';

/**
 * Secrets as files in a directory (mode 600), one JSON document per name: the way a
 * self-managed deployment mounts its configuration (a Kubernetes secret volume, a file that
 * config management writes). Writes are atomic (temp file, fsync, rename), so a reader sees
 * the old value or the new one, never half of one. The lab's application reads its DB
 * endpoint and `global_readonly` flag from here and notices changes by the file's mtime.
 */
export class FileSecrets implements Secrets {
  readonly kind = 'file';

  constructor(readonly dir: string) {}

  /** The file holding `name`. Names are path-like (`drkit/app`) but may not escape the dir. */
  fileOf(name: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) || name.includes('..')) {
      throw new UsageError(`invalid secret name '${name}'`, {
        hint: 'use letters, digits, . _ - and /',
      });
    }
    return path.join(this.dir, `${name}.json`);
  }

  async get(name: string): Promise<Record<string, unknown>> {
    const f = this.fileOf(name);
    if (!existsSync(f)) throw new NotFoundError(`secret '${name}' does not exist in ${this.dir}`);
    try {
      const v: unknown = JSON.parse(readFileSync(f, 'utf8'));
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        rememberSecretValues(v as Record<string, unknown>); // journals and output redact these
        return v as Record<string, unknown>;
      }
    } catch {
      // fall through: JSON.parse's message quotes the text, and the text is a secret
    }
    throw new PreconditionError(`secret '${name}' in ${this.dir} is not a JSON object`, {
      hint: 'drkit stores runtime configuration as JSON objects',
    });
  }

  planGet(name: string): string[] {
    return [`read ${this.fileOf(name)}`];
  }

  /** Names no kept field: the file is read at run time only. */
  async planPut(
    name: string,
    set: Readonly<Record<string, string | number | boolean>>,
  ): Promise<string[]> {
    const fields = Object.entries(set).map(([k, v]) => `${k}=${String(v)}`);
    return [`secrets(${this.kind}) put ${name}: ${fields.join(', ')} (other fields kept)`];
  }

  async put(name: string, value: Record<string, unknown>): Promise<void> {
    const f = this.fileOf(name);
    mkdirSync(path.dirname(f), { recursive: true, mode: 0o700 });
    const tmp = `${f}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, f);
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    const walk = (d: string, prefix: string) => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name), `${prefix}${e.name}/`);
        else if (e.name.endsWith('.json')) out.push(`${prefix}${e.name.slice(0, -5)}`);
      }
    };
    walk(this.dir, '');
    return out.sort();
  }
}
