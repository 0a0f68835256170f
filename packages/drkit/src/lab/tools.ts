import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `scripts/bootstrap` puts the servers it builds or installs: `<repo>/.tools`. Override
 * with DRKIT_TOOLS_DIR (an installed drkit has no repo around it: the default path then does
 * not exist).
 */
export function toolsDir(): string {
  if (process.env.DRKIT_TOOLS_DIR) return process.env.DRKIT_TOOLS_DIR;
  // src/lab or dist/lab -> packages/drkit -> repo root
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '../../../../.tools');
}

/** A binary `scripts/bootstrap` built into `.tools/bin` (mailpit, stripe-mock). */
export function toolBin(name: string): string {
  return path.join(toolsDir(), 'bin', name);
}
