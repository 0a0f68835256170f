import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapabilityError, NotFoundError } from '../../engine/errors.js';
import type {
  FunctionAlias,
  Functions,
  FunctionsCapability,
  FunctionVersion,
} from '../../ports/functions.js';
import type { LabCompute } from './lab-compute.js';

/** The lab's app as one function: its name in `--param functions=`. */
export const LAB_APP_FUNCTION = 'app';

/** `<dir>/releases.json`: the published releases of the lab app and where its aliases route. */
interface ReleasesFile {
  versions: FunctionVersion[];
  aliases: Record<string, string>;
}

/** The built drkit package the app runs from (`dist/` beside `src/`). */
function builtDist(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/adapters/lab-compute → packages/drkit/dist, or dist/adapters/lab-compute → dist
  const fromDist = path.resolve(here, '../..');
  return path.basename(fromDist) === 'dist' ? fromDist : path.resolve(here, '../../../dist');
}

/** The repository's node_modules, for a release copied out of the tree. */
function repoNodeModules(): string {
  return path.resolve(builtDist(), '../../../node_modules');
}

/** Base64 SHA-256 over every file of a release (names and contents, sorted): its code hash. */
function treeSha256(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${path.relative(dir, p)}\0`).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('base64');
}

/**
 * The lab's side of a Lambda rollback: the sample app's builds published as numbered releases
 * (a copy of `dist/` each, immutable, with its code hash) and an alias per name routing to one;
 * `live` is the release the app tasks run. Moving `live` restarts every running task on that
 * build, one at a time, each waiting for `/healthz` to report it. Capability `versions` only:
 * the lab app reads its configuration from its secret, not from an environment.
 */
export class LabAppReleases implements Functions {
  readonly kind = 'lab-app-releases';
  readonly capabilities: ReadonlySet<FunctionsCapability> = new Set(['versions']);

  constructor(
    /** Where releases live (`<labDir>/releases`). */
    readonly dir: string,
    private readonly compute: () => LabCompute,
  ) {}

  /** Copies a build (`from`, default the built `dist/`) as the next release; `live` moves to it only when it has no release yet. */
  publish(opts: { from?: string; description?: string } = {}): FunctionVersion {
    const f = this.read();
    const version = String(f.versions.length + 1);
    const into = this.releaseDir(version);
    rmSync(into, { recursive: true, force: true });
    mkdirSync(into, { recursive: true });
    cpSync(opts.from ?? builtDist(), path.join(into, 'dist'), { recursive: true });
    // bare imports resolve upward from the file: the copy finds the repository's packages here
    symlinkSync(repoNodeModules(), path.join(into, 'node_modules'), 'dir');
    const v: FunctionVersion = {
      version,
      codeSha256: treeSha256(path.join(into, 'dist')),
      ...(opts.description ? { description: opts.description } : {}),
      lastModified: new Date().toISOString(),
    };
    f.versions.push(v);
    f.aliases.live ??= version;
    this.write(f);
    return v;
  }

  /** The entry point and release the tasks start on: `live`'s, or the built app without releases. */
  liveEntry(): { path: string; release: string } | undefined {
    const v = this.read().aliases.live;
    return v
      ? { path: path.join(this.releaseDir(v), 'dist', 'app', 'server-main.js'), release: v }
      : undefined;
  }

  getEnvironment(name: string): Promise<Record<string, string>> {
    this.check(name);
    return Promise.reject(this.noEnvironment());
  }

  updateEnvironment(names: readonly string[]): Promise<{ readonly changed: readonly string[] }> {
    for (const n of names) this.check(n);
    return Promise.reject(this.noEnvironment());
  }

  planGetEnvironment(name: string): string[] {
    return [`lab app '${name}': no environment (config is read from its secret)`];
  }

  planUpdateEnvironment(names: readonly string[]): string[] {
    return names.map((n) => `lab app '${n}': no environment (config is read from its secret)`);
  }

  async listVersions(name: string): Promise<FunctionVersion[]> {
    this.check(name);
    return this.read().versions;
  }

  async getAlias(name: string, alias: string): Promise<FunctionAlias> {
    this.check(name);
    const v = this.read().aliases[alias];
    if (!v)
      throw new NotFoundError(`the lab app has no alias '${alias}'`, {
        hint: 'publish a release first (its first release becomes `live`)',
      });
    return { alias, version: v };
  }

  async pointAlias(name: string, alias: string, version: string): Promise<void> {
    this.check(name);
    const f = this.read();
    if (!f.versions.some((v) => v.version === version))
      throw new NotFoundError(`the lab app has no release ${version}`, {
        hint: `published: ${f.versions.map((v) => v.version).join(', ') || 'none'}`,
      });
    f.aliases[alias] = version;
    this.write(f);
    if (alias !== 'live') return;
    const compute = this.compute();
    // one task at a time: the others keep serving through the front door meanwhile
    for (const s of compute.slots)
      if (compute.pid(s.id) !== undefined) await compute.restartTask(s.id, version);
  }

  planPointAlias(name: string, alias: string, version: string): string[] {
    return [
      `lab app '${name}': ${path.join(this.dir, 'releases.json')} aliases.${alias} = ${version}`,
      ...(alias === 'live'
        ? [
            `restart each running app task on ${path.join(this.releaseDir(version), 'dist/app/server-main.js')}, one at a time, until its /healthz reports release ${version}`,
          ]
        : []),
    ];
  }

  private releaseDir(version: string): string {
    return path.join(this.dir, `v${version}`);
  }

  private check(name: string): void {
    if (name !== LAB_APP_FUNCTION)
      throw new NotFoundError(`the lab has no function '${name}'`, {
        hint: `its one function is the sample app: --param functions=${LAB_APP_FUNCTION}`,
      });
  }

  private noEnvironment(): CapabilityError {
    return new CapabilityError('the lab app has no environment: its config is its secret', {
      hint: 'the lab repoints the app through its config secret (RB-N-02 does it)',
    });
  }

  private read(): ReleasesFile {
    const f = path.join(this.dir, 'releases.json');
    return existsSync(f)
      ? (JSON.parse(readFileSync(f, 'utf8')) as ReleasesFile)
      : { versions: [], aliases: {} };
  }

  private write(f: ReleasesFile): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, 'releases.json'), JSON.stringify(f, null, 2) + '\n');
  }
}
