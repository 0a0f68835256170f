export { PgRoleRotation, APP_ROLE, type PgRoleRotationOptions } from './pg-role-rotation.js';
