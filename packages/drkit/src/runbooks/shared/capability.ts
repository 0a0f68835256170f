import { CapabilityError } from '../../engine/errors.js';

/** A port as far as its capabilities go. */
export interface Capable<C extends string> {
  readonly kind: string;
  readonly capabilities: ReadonlySet<C>;
}

/**
 * Refuses, with a `CapabilityError` naming the backend and the capability, a step that needs
 * `what` from a port whose adapter does not declare `cap`. Runbooks ask this, never whether an
 * optional method happens to exist.
 */
export function requireCapability<C extends string>(
  port: Capable<C>,
  cap: C,
  what: string,
  hint?: string,
): void {
  if (!port.capabilities.has(cap))
    throw new CapabilityError(
      `${port.kind} cannot ${what} (it does not declare '${cap}')`,
      hint ? { hint } : {},
    );
}

/**
 * A step's dry-run text from the port's plan method when the adapter declares `cap`; otherwise
 * one line saying the step would be refused (what {@link requireCapability} does at run time).
 */
export async function planIfCapable<C extends string>(
  port: Capable<C>,
  cap: C,
  what: string,
  plan: () => Promise<string[]> | string[],
): Promise<string[]> {
  return port.capabilities.has(cap)
    ? await plan()
    : [`${port.kind} cannot ${what} (it does not declare '${cap}'): refused at run time`];
}
