export {
  LabStatusPage,
  summaryOf,
  type LabPageState,
  type StatusSummary,
} from './lab-status-page.js';
export { renderStatusHtml } from './status-html.js';
