import { type AppConfig, loadConfig } from '@ostracon/config';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';
import { freePort } from './isolated';
import { type World, startWorld } from './world';

/**
 * Where the console's browser specs run: a world whose API listens on 127.0.0.1 with the local
 * sign-in provider at its own URL, and Debian's Chromium. `fastLog` makes the log's tree and
 * checkpoints quickly, for the pages that show or verify them.
 */
export async function startConsoleWorld(
  label: string,
  options: Parameters<typeof startWorld>[1] & { fastLog?: boolean } = {},
): Promise<{ world: World; base: string; browser: Browser }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const signIn = loadConfig({ ...process.env, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: base, PORT: String(port) }).signIn;
  const { fastLog, config, ...rest } = options;
  const world = await startWorld(label, {
    ...rest,
    config: (c: AppConfig) => {
      const consoleConfig = { ...c, signIn, audit: fastLog ? { ...c.audit, treeIntervalMs: 100, checkpointIntervalMs: 300 } : c.audit };
      return config ? config(consoleConfig) : consoleConfig;
    },
  });
  await world.api.app.listen(port, '127.0.0.1');
  return { world, base, browser: await launchChromium() };
}
