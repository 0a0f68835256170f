import type { z } from 'zod';
import { parseRestoreTarget } from '../adapters/postgres/restore-target.js';
import { UsageError } from '../engine/errors.js';
import type { Runbook } from '../engine/runbook.js';
import type { LabProvider } from '../lab/provider.js';
import { createPitrRunbook, PitrParamsSchema, PITR_RUNBOOK_ID, type PitrState } from './pitr-restore/index.js';

/** A runbook the CLI can run by name. */
export interface RunbookEntry {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly title: string;
  readonly params: z.ZodType;
  /** Validates and completes raw `--param` values into the runbook's initial state. */
  normalize(raw: Record<string, unknown>): Record<string, unknown>;
  create(provider: LabProvider): Runbook<Record<string, unknown>>;
}

function utcStamp(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

const pitr: RunbookEntry = {
  id: PITR_RUNBOOK_ID,
  aliases: ['pitr', 'pitr-restore'],
  title: 'RB-N-02 point-in-time restore (logical corruption)',
  params: PitrParamsSchema,
  normalize(raw) {
    const res = PitrParamsSchema.safeParse(raw);
    if (!res.success) {
      const i = res.error.issues[0]!;
      throw new UsageError(`--param ${i.path.join('.') || '(params)'}: ${i.message}`, {
        hint: 'rb-n-02 takes --param source=<cluster> --param target=<ISO-8601 with zone|latest> [--param newClusterId=<id>] [--param expectedChecksums=<file>]',
      });
    }
    parseRestoreTarget(res.data.target); // refuses malformed timestamps before anything runs
    const state: PitrState = { ...res.data, newClusterId: res.data.newClusterId ?? `dr-${res.data.source}-${utcStamp()}` };
    return state as unknown as Record<string, unknown>;
  },
  create(p) {
    return createPitrRunbook({
      database: p.database,
      secrets: p.secrets,
      notifier: p.notifier,
      connect: p.connect,
      planRestore: (req) => p.database.planRestore(req).steps.map((s) => (s.command ? `${s.phase}: ${s.command}` : `${s.phase}: ${s.description}`)),
    }) as unknown as Runbook<Record<string, unknown>>;
  },
};

/** Every runbook, listed explicitly. */
export const RUNBOOKS: readonly RunbookEntry[] = [pitr];

/** Finds a runbook by id or alias. @throws UsageError */
export function findRunbook(name: string): RunbookEntry {
  const e = RUNBOOKS.find((r) => r.id === name || r.aliases.includes(name));
  if (!e) {
    throw new UsageError(`unknown runbook '${name}'`, { hint: `known runbooks: ${RUNBOOKS.map((r) => `${r.id} (${r.aliases.join(', ')})`).join('; ')}` });
  }
  return e;
}
