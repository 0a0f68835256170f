import type { Endpoint } from '../../ports/database.js';
import type { AppSecretFormat } from '../../ports/app-secret.js';

/**
 * The lab app's own layout: `{dbClusterId, db: {host, port, database, user}, global_readonly}`.
 */
export const LAB_APP_FORMAT: AppSecretFormat = {
  name: 'drkit-app',
  endpointFields: 'db',
  view(v) {
    // only the endpoint's fields: `db` may also hold the password
    const db = v.db as Endpoint | undefined;
    const endpoint = db && { host: db.host, port: db.port, database: db.database, user: db.user };
    return {
      clusterId: typeof v.dbClusterId === 'string' ? v.dbClusterId : undefined,
      endpoint,
      globalReadonly: v.global_readonly === true,
    };
  },
  planFields(clusterId, endpoint) {
    return {
      dbClusterId: clusterId,
      db: endpoint ? `${endpoint.host}:${endpoint.port}` : '<its endpoint>',
    };
  },
  point(v, clusterId, endpoint) {
    const db = v.db as Partial<Endpoint> | undefined;
    return {
      ...v,
      dbClusterId: clusterId,
      // the password and every other field of `db` kept
      db: { ...db, ...endpoint, database: db?.database ?? endpoint.database },
    };
  },
};
