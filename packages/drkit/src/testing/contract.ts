import { it } from 'vitest';

/**
 * Reasons a backend does not run some cases of a port's contract suite, by case id. Every skip
 * states why (what the backend or its emulator cannot do), and the reason is printed with the
 * skipped case.
 */
export type ContractSkips<Case extends string> = Partial<Readonly<Record<Case, string>>>;

/** Registers one contract case: skipped with its reason when `skips` names it. */
export type ContractCase<Case extends string> = (
  id: Case,
  title: string,
  fn: () => Promise<void>,
  timeoutMs?: number,
) => void;

/** The `it` of a contract suite: case ids in the titles, reasoned skips (see {@link ContractSkips}). */
export function contractCases<Case extends string>(
  skips: ContractSkips<Case> = {},
): ContractCase<Case> {
  return (id, title, fn, timeoutMs) => {
    const reason = skips[id];
    if (reason) it.skip(`${id}: ${title} — skipped: ${reason}`, fn);
    else it(`${id}: ${title}`, fn, timeoutMs);
  };
}

/** A name no other case or suite on the same backend uses (they share one emulator or server). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
