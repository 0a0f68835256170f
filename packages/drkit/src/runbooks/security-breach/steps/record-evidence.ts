import type { Step } from '../../../engine/step.js';
import {
  showLimits,
  type BreachEvidence,
  type SecurityBreachDeps,
  type SecurityBreachState,
} from '../context.js';

/** The evidence of what was done and when (ids and counts; no secret value is ever in the state). */
export function makeEvidence(s: SecurityBreachState, now = new Date()): BreachEvidence {
  const signedOut = s.signedOut ?? {};
  return {
    incidentId: s.incidentId,
    reason: s.reason,
    timeline: [
      { what: 'targets checked', at: s.preflightAt },
      { what: 'incident paged', at: s.declaredAt },
      { what: 'API stages throttled to 0', at: s.isolatedAt },
      { what: 'secrets rotated', at: s.rotatedAt },
      { what: 'users signed out', at: s.signedOutAt },
    ],
    stages: (s.previousThrottles ?? []).map((p) => ({
      stage: `${p.apiId}/${p.stage}`,
      previous: showLimits(p),
      now: 'rate=0 burst=0',
    })),
    secrets: s.rotations ?? [],
    signedOut,
    totalSignedOut: Object.values(signedOut).reduce((a, b) => a + b, 0),
    recordedAt: now.toISOString(),
  };
}

/** Step 6: writes the evidence into the state (and so the journal) for the incident report. */
export function recordEvidence(_deps: SecurityBreachDeps): Step<SecurityBreachState> {
  return {
    id: 'record-evidence',
    title: 'Record the evidence (what was done, when, previous limits, counts)',
    plan: () => [
      'journal: evidence {timeline, previous stage limits, rotated version ids, users signed out per pool} (no secret values)',
    ],
    run: ({ state: s }) => Promise.resolve({ evidence: makeEvidence(s) }),
  };
}
