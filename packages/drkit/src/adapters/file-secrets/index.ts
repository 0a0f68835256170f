export { FileSecrets } from './file-secrets.js';
