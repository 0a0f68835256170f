import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DependencyMissingError } from '../engine/errors.js';

/** uPlot's browser build and stylesheet, read from the installed package to inline in a page. */
export interface UplotAssets {
  readonly version: string;
  /** `dist/uPlot.iife.min.js`: defines the global `uPlot`. */
  readonly js: string;
  /** `dist/uPlot.min.css`. */
  readonly css: string;
}

/**
 * Reads uPlot from node_modules at run time (it is a dependency, never copied into the repo).
 * @throws DependencyMissingError when the package or one of its files is not installed
 */
export function loadUplotAssets(): UplotAssets {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.dirname(require.resolve('uplot/package.json'));
  } catch (err) {
    throw new DependencyMissingError('the uplot package (the dashboard charts) is not installed', {
      hint: 'run `npm install` in the drkit workspace (uplot is one of drkit’s dependencies)',
      cause: err,
    });
  }
  const read = (f: string) => {
    try {
      return readFileSync(path.join(dir, f), 'utf8');
    } catch (err) {
      throw new DependencyMissingError(`uplot is installed without ${f} (${dir})`, {
        hint: 'reinstall it: `npm ci`',
        cause: err,
      });
    }
  };
  const pkg = JSON.parse(read('package.json')) as { version: string };
  return {
    version: pkg.version,
    js: read('dist/uPlot.iife.min.js'),
    css: read('dist/uPlot.min.css'),
  };
}
