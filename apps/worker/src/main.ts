import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, closeOnSignals, createLogger } from '@ostracon/common';
import { loadConfig } from '@ostracon/config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'ostracon-worker' });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
  });
  closeOnSignals(app, logger);
  await app.init();
}

main().catch((error: unknown) => {
  process.stderr.write(`ostracon-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
