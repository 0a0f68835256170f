export { LabSessions, APP_SESSIONS_POOL, type LabSessionsOptions } from './lab-sessions.js';
