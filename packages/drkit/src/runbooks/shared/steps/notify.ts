import type { RetryPolicy, Step, StepContext } from '../../../engine/step.js';
import type { Notification, Notifier } from '../../../ports/notifier.js';

/** What the notify step records in a runbook's state. */
export interface NotifyState {
  notifiedAt?: string;
}

/** Options of {@link notifyStep}. */
export interface NotifyOptions<S extends object> {
  /** The step id: a journal key, never changed once released. @default 'notify' */
  readonly id?: string;
  /** @default 'Notify' */
  readonly title?: string;
  /** Retry policy for a retryable delivery failure. @default no retry */
  readonly retry?: RetryPolicy;
  /**
   * The message, from the state at the time (in a dry run: the parameters only, so it must not
   * assume any step's output). Never a secret.
   */
  readonly message: (ctx: StepContext<S>) => Omit<Notification, 'at'>;
  /** Runs after the message is sent (the incident moves to monitoring). @default nothing */
  readonly after?: (ctx: StepContext<S>) => Promise<void>;
}

/**
 * The last step of every runbook: tells people what happened through the notifier. The dry run
 * prints what the notifier would send (`Notifier.planNotify`). Without a notifier the step is
 * skipped (journaled as such) and the plan says nothing would be sent.
 */
export function notifyStep<S extends NotifyState>(
  notifier: Notifier | undefined,
  opts: NotifyOptions<S>,
): Step<S> {
  return {
    id: opts.id ?? 'notify',
    title: opts.title ?? 'Notify',
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(notifier ? {} : { when: () => false }),
    plan: (ctx) =>
      notifier ? notifier.planNotify(opts.message(ctx)) : ['no notifier bound: nothing is sent'],
    async run(ctx) {
      const at = new Date();
      await notifier!.notify({ ...opts.message(ctx), at });
      await opts.after?.(ctx);
      return { notifiedAt: at.toISOString() } as Partial<S>;
    },
  };
}
