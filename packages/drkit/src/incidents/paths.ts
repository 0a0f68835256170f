import path from 'node:path';

/** Where incidents and the lab's status page live under the state dir. */
export function incidentPaths(stateDir: string): { incidents: string; statusPage: string } {
  return {
    incidents: path.join(stateDir, 'incidents'),
    statusPage: path.join(stateDir, 'status-page'),
  };
}
