/** When a detector declared an incident. */
export interface DeclaredIncident {
  readonly declaredAt: Date;
  readonly firstFailureAt: Date;
}

/**
 * The incident detector: watches the primary region's health the way Route 53 does (interval ×
 * consecutive failures) and declares the incident. `drkit failover --detect` waits for it
 * before RB-N-01 runs. Contract: `watch` resolves once, when the threshold is crossed; it
 * changes nothing.
 */
export interface IncidentDetector {
  readonly kind: string;
  watch(say: (message: string) => void): Promise<DeclaredIncident>;
}
