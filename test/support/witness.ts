import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COSIGNATURE_V1, parseVerifierKey, verifierKey } from '@ostracon/platform-sdk/transparency';
import { WitnessState } from '../../apps/witness/src/state';
import { Witness } from '../../apps/witness/src/witness';

/**
 * A witness in the test's process: apps/witness's own Witness behind a real HTTP server, for
 * suites that need a log witnessed without spawning the built process (test/witnessed-log does that).
 */
export class InProcessWitness {
  readonly key = generateKeyPairSync('ed25519');
  readonly verifierKey: string;
  private server?: Server;
  url = '';

  constructor(readonly name: string) {
    this.verifierKey = verifierKey(name, this.key.publicKey, COSIGNATURE_V1);
  }

  async start(logKey: string): Promise<void> {
    const log = parseVerifierKey(logKey);
    const witness = new Witness(
      { name: this.name, ...this.key },
      new Map([[log.name, [log]]]),
      new WitnessState(mkdtempSync(join(tmpdir(), 'witness-'))),
      () => undefined,
    );
    this.server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (d: string) => (body += d));
      request.on('end', () => {
        void witness.addCheckpoint(body).then((a) => response.writeHead(a.status, { 'content-type': a.contentType }).end(a.body));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}
