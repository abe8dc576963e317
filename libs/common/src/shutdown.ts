import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * SIGTERM or SIGINT: close the app (every shutdown hook runs, connections drain), then exit 0.
 * A second signal, or a close that takes longer than `graceMs`, exits at once with 1.
 */
export function closeOnSignals(app: () => INestApplicationContext | undefined, logger: Logger, graceMs = 25_000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    const current = app();
    // Installed before the app exists, so a signal during start-up is never a default kill.
    if (!current) process.exit(0);
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    current.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
