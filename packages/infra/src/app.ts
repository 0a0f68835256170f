#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildDrkitApp } from './drkit-app.js';

// Entry point for `cdk synth` / `cdk deploy` (cdk.json runs it with tsx: no build step).
const app = new App();
buildDrkitApp(app);
app.synth();
