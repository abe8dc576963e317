import { existsSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Holds this process's build open for as long as it runs, and says which it is. A build lives in a
 * directory of its own (scripts/build.mjs, docs/decisions/0012), and the next build removes old
 * ones, but never one that a running process holds a descriptor of: this is that descriptor.
 * Running from the TypeScript sources (tests), there is no build and nothing is held.
 */
export function pinBuild(from = __dirname): string | null {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const info = join(dir, 'BUILD.json');
    if (!existsSync(info)) continue;
    openSync(info, 'r');
    return (JSON.parse(readFileSync(info, 'utf8')) as { id: string }).id;
  }
  return null;
}
