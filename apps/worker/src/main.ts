import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, closeOnSignals, createLogger, pinBuild } from '@ostracon/common';
import { loadConfig } from '@ostracon/config';
import { WorkerModule } from './worker.module';

const build = pinBuild();

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'ostracon-worker', format: config.log.format });
  logger.info({ node: process.version, build }, 'starting the worker');
  // Signals are handled from the first instant; the app joins once it exists.
  const started: { app?: INestApplicationContext } = {};
  closeOnSignals(() => started.app, logger);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
  });
  started.app = app;
  // Only now: whoever waits for this line may stop the worker and see it close cleanly.
  logger.info('worker ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`ostracon-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
