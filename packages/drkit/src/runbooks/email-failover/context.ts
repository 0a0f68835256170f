import type { MailOutbox } from '../../ports/mail-outbox.js';
import type { Mailer, MailerFactory, MailFailure } from '../../ports/mailer.js';
import type { Notifier } from '../../ports/notifier.js';
import type { Secrets } from '../../ports/secrets.js';
import type { WarmupSchedule } from '../../util/warmup.js';
import type { NotifyState } from '../shared/steps/notify.js';

/** The ports RB-N-07 runs against. */
export interface EmailFailoverDeps {
  readonly mailers: MailerFactory;
  /** The secret store holding the active secret and every provider's credentials. */
  readonly secrets: Secrets;
  readonly outbox: MailOutbox;
  /** Alerts that a failover happened, then the outcome (never silent). */
  readonly notifier: Notifier;
}

/** RB-N-07's state: normalized parameters plus what each step recorded. Never a credential. */
export interface EmailFailoverState extends NotifyState {
  readonly to: string;
  /** The secret holding `to`'s credentials (its name only). */
  readonly credentialsSecret: string;
  /** The secret the app reads its active provider from. */
  readonly activeSecret: string;
  readonly warmupPerMinute: readonly number[];
  readonly warmupStageSeconds: number;
  readonly criticalOnly: boolean;
  readonly windowSeconds: number;
  /** The switch back once the original provider is healthy again (`switchBackTo`). */
  readonly switchBack?: SwitchBack;
  /** The switch back's health probes so far. */
  switchBackProbes?: { accepted: number; refused: number };
  switchBackHealthyAt?: string;
  switchedBackAt?: string;
  /** The provider active before the switch (from the active secret). */
  fromProvider?: string;
  /** Outcomes of the outgoing provider over the window, when checked. */
  failureRate?: { sent: number; failed: number };
  failedBefore?: number;
  switchedAt?: string;
  warmup?: WarmupSchedule;
  alertedAt?: string;
  resent?: number;
  /** Messages a provider accepted already (another sender got there first). */
  alreadySent?: number;
  /** Outbox ids claimed by this execution without a recorded outcome: never re-sent. */
  inDoubt?: string[];
  /** Outbox ids the new provider refused permanently, with the reason kind. */
  refused?: Record<string, MailFailure>;
  firstResendAt?: string;
  lastResendAt?: string;
}

/** The credentials secret's values, opened as a mailer (throws UsageError on a bad kind/field). */
export async function openTarget(deps: EmailFailoverDeps, s: EmailFailoverState): Promise<Mailer> {
  return deps.mailers.open(await deps.secrets.get(s.credentialsSecret));
}

/** RB-N-07's switch back, normalized from its parameters. */
export interface SwitchBack {
  /** The provider switched back to (a name under `mail.providers`). */
  readonly to: string;
  readonly credentialsSecret: string;
  /** Where the health probes are sent (and from). */
  readonly probeTo: string;
  readonly healthyProbes: number;
  readonly probeIntervalSeconds: number;
  readonly waitSeconds: number;
}
