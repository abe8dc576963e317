import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { closeOnSignals, createLogger, pinBuild } from '@ostracon/common';
import { loadConfig } from '@ostracon/config';
import cluster from 'node:cluster';
import { ScreeningIndexService } from '@ostracon/screening';
import { joinCluster, runPrimary } from './cluster';
import { createApiApp } from './create-api-app';

const build = pinBuild();

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'ostracon-api', format: config.log.format });
  if (cluster.isPrimary) logger.info({ node: process.version, build, processes: config.http.processes }, 'starting the API');
  if (config.http.processes > 1 && cluster.isPrimary) return runPrimary(config, logger);
  const member = cluster.isWorker ? joinCluster() : undefined;
  // Signals are handled from the first instant; the app joins once it exists.
  const started: { app?: NestFastifyApplication } = {};
  closeOnSignals(() => started.app, logger);
  const app = await createApiApp({ config });
  started.app = app;
  if (config.generatedSecrets.length > 0) {
    app
      .getHttpAdapter()
      .getInstance()
      .log.warn(
        { secrets: config.generatedSecrets },
        'development secrets were generated into .local/dev-secrets.json; set them in the environment for production',
      );
  }
  await app.listen({ host: config.http.host, port: config.http.port });
  if (member) {
    await app.get(ScreeningIndexService).ready();
    member.ready();
  }
}

main().catch((error: unknown) => {
  // Before the logger exists (a bad configuration), stderr is the only place to say why.
  process.stderr.write(`ostracon-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
