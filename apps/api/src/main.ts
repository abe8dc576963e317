import 'reflect-metadata';
import { closeOnSignals } from '@ostracon/common';
import { loadConfig } from '@ostracon/config';
import type { Logger } from 'pino';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp({ config });
  if (config.generatedSecrets.length > 0) {
    app
      .getHttpAdapter()
      .getInstance()
      .log.warn(
        { secrets: config.generatedSecrets },
        'development secrets were generated into .local/dev-secrets.json; set them in the environment for production',
      );
  }
  closeOnSignals(app, app.getHttpAdapter().getInstance().log as unknown as Logger);
  await app.listen({ host: config.http.host, port: config.http.port });
}

main().catch((error: unknown) => {
  // Before the logger exists (a bad configuration), stderr is the only place to say why.
  process.stderr.write(`ostracon-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
