/** One gauge value drkit exports (`drkit metrics`): name, labels, value, and what it means. */
export interface MetricSample {
  /** Prometheus name, `drkit_…`, base units (seconds, bytes). */
  readonly name: string;
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /**
   * `counter` for a value that only grows until its source restarts (Prometheus' `increase()`
   * copes with the reset). @default 'gauge'
   */
  readonly type?: 'gauge' | 'counter';
}
