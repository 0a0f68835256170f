import type { DrkitConfig, ProviderName } from '../config/schema.js';
import { CapabilityError } from '../engine/errors.js';
import type { PortBinding, PortName, PortSet } from '../ports/port-set.js';

/**
 * A world runbooks run in (the lab, AWS), bound from config: its ports, bound lazily by name,
 * and where its journals go. The only place that knows which adapter serves which port.
 */
export interface Provider extends PortBinding {
  readonly provider: ProviderName;
  readonly config: DrkitConfig;
  /** Journals and locks of executions on this provider. */
  readonly journalDir: string;
  /** Releases SDK sockets and the like (the CLI exits sooner). */
  close(): void;
}

/** How each port of a provider is made: called once, on first use. */
export type PortFactories = { readonly [K in PortName]?: () => PortSet[K] };

/** Why a provider lacks a port, and what to do instead. */
export interface Missing {
  /** What the port is, in words (`object store`). */
  readonly what: string;
  readonly hint: string;
}

/** Options of {@link makeProvider}. */
export interface ProviderParts {
  readonly provider: ProviderName;
  readonly config: DrkitConfig;
  readonly journalDir: string;
  readonly ports: PortFactories;
  /** Words and hints for ports this provider does not bind. @default a generic hint */
  readonly missing?: (port: PortName) => Missing | undefined;
  readonly close?: () => void;
}

/** A {@link Provider} over factories: each port is made on first use and kept. */
export function makeProvider(parts: ProviderParts): Provider {
  const made = new Map<PortName, unknown>();
  return {
    provider: parts.provider,
    config: parts.config,
    journalDir: parts.journalDir,
    has: (name) => parts.ports[name] !== undefined,
    port<K extends PortName>(name: K): PortSet[K] {
      if (made.has(name)) return made.get(name) as PortSet[K];
      const make = parts.ports[name] as (() => PortSet[K]) | undefined;
      if (!make) {
        const m = parts.missing?.(name);
        throw new CapabilityError(
          `the ${parts.provider} provider has no ${m?.what ?? name} (port '${name}')`,
          { hint: m?.hint ?? `run this runbook with a provider that binds '${name}'` },
        );
      }
      const port = make();
      made.set(name, port);
      return port;
    },
    close: () => parts.close?.(),
  };
}

/**
 * `provider` with some ports made another way (a drill's own clients for the emulator it
 * started); every other port, the config and the journal dir are the provider's.
 */
export function withPorts(provider: Provider, ports: PortFactories): Provider {
  const made = new Map<PortName, unknown>();
  return {
    ...provider,
    has: (name) => ports[name] !== undefined || provider.has(name),
    port<K extends PortName>(name: K): PortSet[K] {
      const make = ports[name] as (() => PortSet[K]) | undefined;
      if (!make) return provider.port(name);
      if (!made.has(name)) made.set(name, make());
      return made.get(name) as PortSet[K];
    },
  };
}
