import { makeLabFixture, runCli, type LabFixture } from './lab-fixture.js';
import {
  startMotoClients,
  stopMotoClients,
  type MotoClients,
  type MotoClientsOptions,
} from './moto.js';

/** Options of {@link startMotoCli}. */
export interface MotoCliOptions extends MotoClientsOptions {
  /**
   * Also put {@link MotoCli.env} into this process's environment until `stop()`: for tests that
   * bind the `aws` provider in-process (its clients take the default credential chain).
   * @default false
   */
  readonly processEnv?: boolean;
}

/** The drkit CLI against a fresh moto server: what an `--provider aws` CLI test needs. */
export interface MotoCli extends MotoClients {
  /**
   * The environment of every CLI run: moto's fake keys for the SDK's default credential chain,
   * AWS_REGION us-east-1, and no instance-metadata lookups.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * A throw-away lab directory (temp state dir, its own config file) whose config points
   * `aws.endpoint` at this moto server, `aws.regionA` at the clients' region, plus `aws`.
   * `stop()` cleans it up.
   */
  fixture(aws?: Record<string, unknown>): LabFixture;
  /** A throw-away lab directory whose config has no `aws` section. `stop()` cleans it up. */
  bareFixture(): LabFixture;
  /** Runs the built CLI to completion with {@link env} (plus `env`). */
  run(args: string[], env?: Record<string, string>): ReturnType<typeof runCli>;
  /** Cleans up every fixture, stops moto, restores the process environment. */
  stop(): Promise<void>;
}

const CLI_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Starts a moto server and its clients for one CLI test file (see {@link MotoCli}). */
export async function startMotoCli(opts: MotoCliOptions = {}): Promise<MotoCli> {
  const saved = new Map<string, string | undefined>();
  if (opts.processEnv) {
    for (const [k, v] of Object.entries(CLI_ENV)) {
      saved.set(k, process.env[k]);
      process.env[k] = v;
    }
  }
  const started = await startMotoClients(opts).catch((err: unknown) => {
    restore(saved);
    throw err;
  });
  const { moto, clients } = started;
  const fixtures: LabFixture[] = [];
  const keep = (f: LabFixture) => (fixtures.push(f), f);
  return {
    moto,
    clients,
    env: CLI_ENV,
    fixture: (aws = {}) =>
      keep(
        makeLabFixture({
          aws: { endpoint: moto.endpoint, regionA: clients.defaultRegion, ...aws },
        }),
      ),
    bareFixture: () => keep(makeLabFixture({})),
    run: (args, env = {}) => runCli(args, { ...CLI_ENV, ...env }),
    async stop() {
      for (const f of fixtures) await f.cleanup();
      await stopMotoClients(started);
      restore(saved);
    },
  };
}

function restore(saved: Map<string, string | undefined>): void {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
