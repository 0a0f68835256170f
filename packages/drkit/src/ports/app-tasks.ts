/** An app task that can take writes: its id and the `host:port` its `/healthz` answers on. */
export interface AppTaskEndpoint {
  readonly id: string;
  readonly address: string;
}

/**
 * The app tasks port: the running tasks of the application, which a freeze must hear from.
 * Each task reports on `/healthz` the config generation it applies, whether `global_readonly`
 * is on and its writes in flight; a freeze is complete only when every task confirmed it.
 *
 * Contract: `list` reads only and returns the tasks that can take writes now (an empty list
 * when none run); it never starts or stops one.
 */
export interface AppTasks {
  readonly kind: string;
  list(): Promise<ReadonlyArray<AppTaskEndpoint>>;
}
