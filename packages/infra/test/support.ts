import { App } from 'aws-cdk-lib';
import { buildDrkitApp, type DrkitStacks } from '../src/drkit-app.js';

/** Builds the whole app with the given context (nag off unless asked: it is slow). */
export function buildApp(context: Record<string, unknown> = {}, nag = false): DrkitStacks {
  const app = new App({ context });
  return buildDrkitApp(app, { nag });
}
