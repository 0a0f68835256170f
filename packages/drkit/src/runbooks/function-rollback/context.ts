import type { Functions } from '../../ports/functions.js';
import type { Notifier } from '../../ports/notifier.js';
import type { NotifyState } from '../shared/steps/notify.js';
import type { FunctionRollbackParams } from './params.js';

/** The ports the rollback runs against. */
export interface FunctionRollbackDeps {
  readonly functions: Functions;
  readonly notifier?: Notifier;
}

/** One function's move: the version its alias routed to, and the one it goes back to. */
export interface RollbackMove {
  readonly function: string;
  /** The version the alias routed to when the rollback was resolved. */
  readonly from: string;
  /** Weighted routing to a second version that the rollback removes, when there was one. */
  readonly fromWeights?: Readonly<Record<string, number>>;
  readonly to: string;
  /** Code hash of `to`: the verification compares the alias's version with it. */
  readonly toCodeSha256: string;
}

/** The rollback's state: its parameters plus what each step recorded. */
export interface FunctionRollbackState extends FunctionRollbackParams, NotifyState {
  /** Resolve: one move per function, fixed before anything changes (resume keeps them). */
  moves?: RollbackMove[];
  /** Point: the functions whose alias this execution moved (the others were there already). */
  moved?: string[];
  /** Verify: when every alias was read back at its target. */
  verifiedAt?: string;
}
