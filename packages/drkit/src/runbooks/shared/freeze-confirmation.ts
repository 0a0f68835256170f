import { StepTimeoutError } from '../../engine/errors.js';
import { sleep } from '../../util/net.js';

import type { AppTaskEndpoint } from '../../ports/app-tasks.js';

export type { AppTaskEndpoint } from '../../ports/app-tasks.js';

/** What a task reports on `/healthz` about the config it applies (the app's `AppliedConfig`). */
export interface TaskConfigReport {
  readonly generation: string;
  readonly global_readonly: boolean;
  readonly writesInFlight: number;
  /** The cluster the config names (the app's `AppliedConfig.dbClusterId`). */
  readonly dbClusterId?: string;
}

/** One task's confirmation, for the journal and the report. */
export interface TaskFreezeConfirmation {
  readonly task: string;
  readonly generation: string;
  readonly confirmedAt: string;
}

/** The evidence of a confirmed freeze. */
export interface FreezeConfirmation {
  readonly tasks: ReadonlyArray<TaskFreezeConfirmation>;
  /** When the last task confirmed: from here on no write can be acknowledged. */
  readonly confirmedAt: string;
  readonly waitedMs: number;
}

/** Options of {@link confirmFreeze}. */
export interface ConfirmFreezeOptions {
  /** The tasks that can take writes now (read once, when the wait starts). */
  readonly tasks: () => Promise<ReadonlyArray<AppTaskEndpoint>>;
  /** How long every task has to confirm. @default 5000 */
  readonly timeoutMs?: number;
  /** Time between two rounds of probes. @default 50 */
  readonly pollMs?: number;
  /** Reads a task's applied config. @default GET http://<address>/healthz, its `config` field */
  readonly probe?: (address: string) => Promise<TaskConfigReport | undefined>;
}

/** GET /healthz of a task and its `config` (a 503 still carries it); undefined when nothing answers. */
export async function probeAppliedConfig(address: string): Promise<TaskConfigReport | undefined> {
  try {
    const r = await fetch(`http://${address}/healthz`, { signal: AbortSignal.timeout(800) });
    const body = (await r.json().catch(() => ({}))) as { config?: TaskConfigReport };
    return body.config;
  } catch {
    return undefined;
  }
}

function whyNot(rep: TaskConfigReport | undefined): string {
  if (!rep) return 'no answer on /healthz';
  if (!rep.global_readonly) return `still applies a writable config (generation ${rep.generation})`;
  return `${rep.writesInFlight} write(s) admitted before the freeze still in flight`;
}

/**
 * Waits until every app task confirms the freeze: it reports `global_readonly` in the config it
 * applies and no write admitted under an earlier, writable config is still in flight. A freeze
 * step that returns before this lets writes be acknowledged (and, after a restore, lost).
 * @throws StepTimeoutError naming each task that did not confirm, and what it last said
 */
export async function confirmFreeze(o: ConfirmFreezeOptions): Promise<FreezeConfirmation> {
  const started = Date.now();
  const timeoutMs = o.timeoutMs ?? 5000;
  const probe = o.probe ?? probeAppliedConfig;
  const tasks = await o.tasks();
  const confirmed = new Map<string, TaskFreezeConfirmation>();
  const last = new Map<string, TaskConfigReport | undefined>();
  for (;;) {
    await Promise.all(
      tasks
        .filter((t) => !confirmed.has(t.id))
        .map(async (t) => {
          const rep = await probe(t.address);
          last.set(t.id, rep);
          if (rep?.global_readonly && rep.writesInFlight === 0)
            confirmed.set(t.id, {
              task: t.id,
              generation: rep.generation,
              confirmedAt: new Date().toISOString(),
            });
        }),
    );
    if (confirmed.size === tasks.length) {
      const list = tasks.map((t) => confirmed.get(t.id)!);
      return {
        tasks: list,
        confirmedAt: list.reduce(
          (m, c) => (c.confirmedAt > m ? c.confirmedAt : m),
          new Date(started).toISOString(),
        ),
        waitedMs: Date.now() - started,
      };
    }
    if (Date.now() - started >= timeoutMs) {
      const missing = tasks.filter((t) => !confirmed.has(t.id));
      throw new StepTimeoutError(
        `app tasks did not confirm the freeze within ${timeoutMs} ms: ${missing
          .map((t) => `${t.id} (${whyNot(last.get(t.id))})`)
          .join(', ')}`,
        {
          hint: 'writes may still be acknowledged by those tasks; check that they re-read the app config and answer /healthz',
        },
      );
    }
    await sleep(o.pollMs ?? 50);
  }
}
