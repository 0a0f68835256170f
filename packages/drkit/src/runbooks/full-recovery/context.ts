import type { SmokeResult } from '../../validate/smoke.js';
import type { LoadTestResult } from '../../validate/load-test.js';
import type { PitrDeps, PitrState } from '../pitr-restore/context.js';
import type { FullRecoveryParams } from './params.js';

/** The ports the full recovery runs against: RB-N-02's (the front door is in the state). */
export type FullRecoveryDeps = PitrDeps;

/** One place that answered the health check, and the cluster it reads from. */
export interface HealthRecord {
  readonly what: string;
  readonly cluster: string;
}

/** The full recovery's state: RB-N-02's plus what its own steps recorded. */
export interface FullRecoveryState extends PitrState, Omit<FullRecoveryParams, keyof PitrState> {
  /** The front door used (the param, else the provider's), fixed when the run was prepared. */
  frontDoorUrl: string;
  health?: { readonly checkedAt: string; readonly serving: readonly HealthRecord[] };
  smoke?: { readonly checkedAt: string; readonly results: readonly SmokeResult[] };
  load?: LoadTestResult & { readonly checkedAt: string };
}
