import { StepTimeoutError } from '../../engine/errors.js';
import type { AppTaskEndpoint } from '../../ports/app-tasks.js';
import { sleep } from '../../util/net.js';

/** What a lab app task reports on `/healthz` (its `config` field; see app/server.ts). */
export interface TaskReport {
  readonly generation: string;
  readonly dbUser?: string;
  readonly oldPoolsDraining?: number;
  readonly sessionEpoch?: number;
}

/** GET /healthz of a task and its `config` (a 503 carries it too); undefined when nothing answers. */
export async function readTaskReport(address: string): Promise<TaskReport | undefined> {
  try {
    const r = await fetch(`http://${address}/healthz`, { signal: AbortSignal.timeout(800) });
    return ((await r.json().catch(() => ({}))) as { config?: TaskReport }).config;
  } catch {
    return undefined;
  }
}

/** One task's confirmation (for the journal and the report). */
export interface TaskConfirmation {
  readonly task: string;
  readonly confirmedAt: string;
}

/**
 * Waits until every task's `/healthz` report satisfies `ok` (each one's confirmation kept).
 * @throws StepTimeoutError naming each task that did not confirm `what`
 */
export async function waitForTasks(
  tasks: ReadonlyArray<AppTaskEndpoint>,
  ok: (r: TaskReport) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<TaskConfirmation[]> {
  const started = Date.now();
  const done = new Map<string, TaskConfirmation>();
  for (;;) {
    await Promise.all(
      tasks
        .filter((t) => !done.has(t.id))
        .map(async (t) => {
          const r = await readTaskReport(t.address);
          if (r && ok(r)) done.set(t.id, { task: t.id, confirmedAt: new Date().toISOString() });
        }),
    );
    if (done.size === tasks.length) return tasks.map((t) => done.get(t.id)!);
    if (Date.now() - started >= timeoutMs)
      throw new StepTimeoutError(
        `app tasks did not confirm ${what} within ${timeoutMs} ms: ${tasks
          .filter((t) => !done.has(t.id))
          .map((t) => t.id)
          .join(', ')}`,
        {
          retryable: true,
          hint: 'check that they run, re-read their config and answer /healthz; the step can be run again',
        },
      );
    await sleep(50);
  }
}
