export { LabCompute, probeHealth, type TaskSlot } from './lab-compute.js';
export { LabAppReleases, LAB_APP_FUNCTION } from './lab-app-releases.js';
