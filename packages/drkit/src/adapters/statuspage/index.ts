export {
  StatuspageStatusPage,
  METADATA_NAMESPACE,
  type StatuspageOptions,
} from './statuspage-status-page.js';
