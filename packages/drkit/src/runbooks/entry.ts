import { z } from 'zod';
import type { DrkitConfig } from '../config/schema.js';
import { UsageError } from '../engine/errors.js';
import type { Runbook } from '../engine/runbook.js';
import type { PortBinding, PortName, PortSet } from '../ports/port-set.js';

/** The ports a runbook gets: every one it needs, and those it can use when bound. */
export type RunbookPorts<N extends PortName, O extends PortName = never> = Pick<PortSet, N> &
  Partial<Pick<PortSet, O>>;

/** What `normalize` sees besides the raw `--param` values. */
export interface NormalizeContext<N extends PortName, O extends PortName = never> {
  readonly ports: RunbookPorts<N, O>;
  /** The loaded config (defaults a runbook reads from it, e.g. `aws.breach`). */
  readonly config: DrkitConfig;
  /** Where journals live (a runbook may read an earlier execution's). */
  readonly journalDir: string;
  /** The provider's name. */
  readonly provider: string;
  /** The runbook's `--param` usage, for UsageError hints. */
  readonly hint: string;
}

/** What a runbook folder declares about itself: see {@link defineRunbook}. */
export interface RunbookDefinition<
  S extends object,
  N extends PortName,
  O extends PortName = never,
> {
  /** Stable id (journal key, `drkit runbook run <id>`). */
  readonly id: string;
  readonly aliases: readonly string[];
  readonly title: string;
  /** The `--param` schema (zod object, possibly refined). */
  readonly params: z.ZodType;
  /** What the generated `--param` hint cannot say (e.g. "or aws.breach in the config"). @default none */
  readonly paramNote?: string;
  /** Ports the runbook cannot run without: a provider lacking one is refused before anything runs. */
  readonly needs: readonly N[];
  /** Ports it uses when the provider has them (a CDN to purge, functions to repoint). @default none */
  readonly uses?: readonly O[];
  /**
   * The severity its declare step opens an incident with (a row of `incidents.matrix`);
   * `--severity` / `--param severity=` overrides it. @default the runbook declares no incident
   */
  readonly severity?: string;
  /** Validates and completes raw `--param` values into the initial state. @throws UsageError */
  normalize(raw: Record<string, unknown>, ctx: NormalizeContext<N, O>): S | Promise<S>;
  create(ports: RunbookPorts<N, O>): Runbook<S>;
}

/** A runbook ready to execute: bound to a provider's ports, its state normalized. */
export interface PreparedRun<S extends object> {
  readonly runbook: Runbook<S>;
  readonly state: S;
}

/** A runbook the CLI, the drills and the benchmarks run by name, on any provider that has its ports. */
export interface RunbookEntry<S extends object = object> {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly title: string;
  readonly params: z.ZodType;
  readonly needs: readonly PortName[];
  readonly uses: readonly PortName[];
  /** Default severity of its declared incident. @default none (no declare step) */
  readonly severity?: string;
  /** `--param` usage, generated from the schema. */
  readonly paramHint: string;
  /**
   * Binds the ports (every missing one is a `CapabilityError` before anything runs) and
   * normalizes `raw` into the initial state.
   */
  prepare(
    raw: Record<string, unknown>,
    binding: PortBinding,
    ctx: Omit<NormalizeContext<never>, 'ports' | 'provider' | 'hint'>,
  ): Promise<PreparedRun<S>>;
  /** The runbook on a provider's ports, for `resume` (its state comes from the journal). */
  bind(binding: PortBinding): Runbook<S>;
}

/** The `--param` usage of a schema: required keys, then optional ones in brackets. */
export function paramHint(id: string, schema: z.ZodType, note?: string): string {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodPipe) s = s.def.in as z.ZodType;
  if (!(s instanceof z.ZodObject)) return `${id} takes --param key=value${note ? `; ${note}` : ''}`;
  const parts: string[] = [];
  const optional: string[] = [];
  for (const [k, v] of Object.entries(s.shape as Record<string, z.ZodType>)) {
    const text = `--param ${k}=<${v.description ?? k}>`;
    if (v.isOptional()) optional.push(`[${text}]`);
    else parts.push(text);
  }
  return `${id} takes ${[...parts, ...optional].join(' ') || 'no --param'}${note ? `; ${note}` : ''}`;
}

/** Parses `raw` with `schema`; the first issue becomes a UsageError naming the key. */
export function parseParams<T>(
  schema: z.ZodType<T>,
  raw: Record<string, unknown>,
  hint: string,
): T {
  const res = schema.safeParse(raw);
  if (!res.success) {
    const i = res.error.issues[0]!;
    throw new UsageError(`--param ${i.path.join('.') || '(params)'}: ${i.message}`, { hint });
  }
  return res.data;
}

function portsOf<N extends PortName, O extends PortName>(
  binding: PortBinding,
  needs: readonly N[],
  uses: readonly O[],
): RunbookPorts<N, O> {
  const ports: Partial<Record<PortName, unknown>> = {};
  // every needed port first: the first missing one refuses the run before anything is bound
  for (const n of needs) ports[n] = binding.port(n);
  for (const o of uses) if (binding.has(o)) ports[o] = binding.port(o);
  return ports as RunbookPorts<N, O>;
}

/** What {@link defineRunbook} returns: the entry, plus its typed `normalize` and `create` (tests, drills). */
export interface DefinedRunbook<
  S extends object,
  N extends PortName,
  O extends PortName = never,
> extends RunbookEntry<S> {
  normalize(raw: Record<string, unknown>, ctx: Omit<NormalizeContext<N, O>, 'hint'>): Promise<S>;
  create(ports: RunbookPorts<N, O>): Runbook<S>;
}

/**
 * Declares a runbook: the one thing its folder's `index.ts` exports for the list in
 * `runbooks/index.ts`. The entry binds exactly the declared ports; a provider without one of
 * `needs` is refused with a `CapabilityError` naming the port and the provider.
 */
export function defineRunbook<S extends object, N extends PortName, O extends PortName = never>(
  d: RunbookDefinition<S, N, O>,
): DefinedRunbook<S, N, O> {
  const uses = d.uses ?? [];
  const hint = paramHint(d.id, d.params, d.paramNote);
  const withSeverity = async (
    raw: Record<string, unknown>,
    ctx: Omit<NormalizeContext<N, O>, 'hint'>,
  ): Promise<S> => {
    const { severity, ...rest } = raw;
    const sev = incidentSeverity(d.id, d.severity, severity, ctx.config);
    const state = await d.normalize(rest, { ...ctx, hint });
    return sev === undefined ? state : { ...state, severity: sev };
  };
  return {
    id: d.id,
    aliases: d.aliases,
    title: d.title,
    params: d.params,
    needs: d.needs,
    uses,
    ...(d.severity ? { severity: d.severity } : {}),
    paramHint: hint,
    normalize: withSeverity,
    create: (ports) => d.create(ports),
    async prepare(raw, binding, ctx) {
      // a wrong severity is refused before any port is bound
      incidentSeverity(d.id, d.severity, raw.severity, ctx.config);
      const ports = portsOf(binding, d.needs, uses);
      const state = await withSeverity(raw, { ...ctx, ports, provider: binding.provider });
      return { runbook: d.create(ports), state };
    },
    bind: (binding) => d.create(portsOf(binding, d.needs, uses)),
  };
}

/**
 * The severity a runbook's incident is declared with: the `severity` given, else the
 * runbook's default; it must be a row of `incidents.matrix`. A runbook without a declare step
 * takes none. @throws UsageError naming the matrix's severities
 */
export function incidentSeverity(
  runbook: string,
  fallback: string | undefined,
  given: unknown,
  config: DrkitConfig,
): string | undefined {
  if (given === undefined) return fallback;
  if (fallback === undefined)
    throw new UsageError(`runbook ${runbook} declares no incident: a severity does not apply`, {
      hint: 'drop --severity (and --param severity=)',
    });
  const rows = Object.keys(config.incidents.matrix).sort();
  if (typeof given !== 'string' || !rows.includes(given))
    throw new UsageError(
      `unknown severity '${String(given)}': the escalation matrix has ${rows.join(', ')}`,
      { hint: `pass one of those (--severity ${rows[0]}), or add the row under incidents.matrix` },
    );
  return given;
}
