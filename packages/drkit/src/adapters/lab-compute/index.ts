export { LabCompute, probeHealth, type TaskSlot } from './lab-compute.js';
