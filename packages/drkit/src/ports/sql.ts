import type pg from 'pg';
import type { Endpoint } from './database.js';

/**
 * Opens a SQL connection to an endpoint; the provider supplies the credentials (the lab: trust
 * on loopback; AWS: the credentials secret). Contract: a password is passed to the driver only,
 * never logged, journaled or put in an error message. The caller ends the client.
 */
export type SqlConnector = (endpoint: Endpoint) => Promise<pg.Client>;
