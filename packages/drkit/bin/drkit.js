#!/usr/bin/env node
// The `drkit` command: runs the compiled CLI. It is a file of its own, kept in git, rather than
// dist/cli/main.js itself because npm links a workspace's bins when it installs, before the first
// build: a bin pointing into dist/ would be skipped on a fresh clone (`npx drkit` not found).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    `drkit: the CLI is not built (no ${fileURLToPath(main)});` +
      ' run `npm run build` in the drkit checkout\n',
  );
  process.exit(10); // exit code 10: missing dependency
}
await import(main.href);
