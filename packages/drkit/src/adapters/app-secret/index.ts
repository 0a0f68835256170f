export { LAB_APP_FORMAT } from './lab-app-format.js';
export { RDS_SECRET_FORMAT } from './rds-secret-format.js';
