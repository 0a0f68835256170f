import type { AppSecretFormat } from '../../ports/app-secret.js';

/**
 * The RDS-style secret (`{engine, host, port, username, password, dbname, …}`) AWS apps read:
 * a swap changes `host` and `port` and records `dbClusterId`; `dbname`, the credentials and
 * every other field stay.
 */
export const RDS_SECRET_FORMAT: AppSecretFormat = {
  name: 'rds',
  endpointFields: 'host/port',
  view(v) {
    const host = typeof v.host === 'string' ? v.host : undefined;
    const port = typeof v.port === 'number' ? v.port : Number(v.port ?? 5432);
    return {
      clusterId: typeof v.dbClusterId === 'string' ? v.dbClusterId : undefined,
      endpoint: host
        ? {
            host,
            port,
            database: typeof v.dbname === 'string' ? v.dbname : 'postgres',
            user: typeof v.username === 'string' ? v.username : '',
          }
        : undefined,
      globalReadonly: v.global_readonly === true,
    };
  },
  planFields(clusterId, endpoint) {
    return endpoint
      ? { host: endpoint.host, port: endpoint.port, dbClusterId: clusterId }
      : { host: `<${clusterId}'s endpoint>`, port: `<its port>`, dbClusterId: clusterId };
  },
  point(v, clusterId, endpoint) {
    return { ...v, host: endpoint.host, port: endpoint.port, dbClusterId: clusterId };
  },
};
