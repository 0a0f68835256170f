import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { Output } from './output.js';

/** Global options every command sees. */
export interface GlobalOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly color?: boolean;
}

/** What a command needs from the global options: output and the loaded config. */
export interface CliContext {
  readonly out: Output;
  readonly loaded: LoadedConfig;
}

/** Builds the context from the root command's options. */
export function cliContext(cmd: Command): CliContext {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const out = new Output({
    json: g.json ?? false,
    quiet: g.quiet ?? false,
    color: g.color ?? true,
  });
  return { out, loaded: loadConfig(g.config) };
}
