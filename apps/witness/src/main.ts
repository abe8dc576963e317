import { once } from 'node:events';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { COSIGNATURE_V1, ED25519, type NoteVerifier, parseVerifierKey, verifierKey } from '@ostracon/platform-sdk/transparency';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { WitnessState } from './state';
import { type Answer, Witness, type WitnessIdentity } from './witness';

/**
 * An Ostracon audit-log witness (c2sp.org/tlog-witness), for an auditor to run:
 *
 *   npm run witness -- keygen --name witness.example/cnil --key-file witness.key
 *   npm run witness -- serve --name witness.example/cnil --key-file witness.key \
 *     --log '<the log's verifier key, GET /v1/audit/public-key noteVerifierKey>' --state-dir ./state --port 7380
 *
 * docs/auditing.md § Running a witness.
 */

const BODY_LIMIT = 64 * 1024;
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function identity(name: string, keyFile: string): WitnessIdentity {
  const seed = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
  if (seed.length !== 32) throw new Error(`${keyFile} does not hold a base64 Ed25519 seed of 32 bytes`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  return { name, privateKey, publicKey: createPublicKey(privateKey) };
}

const logKey = (vkey: string, previous: NoteVerifier[] = []): NoteVerifier[] => {
  try {
    const key = parseVerifierKey(vkey);
    if (key.type !== ED25519) throw new Error('a log key is a 0x01 (Ed25519 note) verifier key');
    return [...previous, key];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0 to 65535');
  return n;
};

export async function serve(options: { name: string; keyFile: string; log: NoteVerifier[]; stateDir: string; host: string; port: number }) {
  const logger = pino({ base: { app: 'witness' } });
  // Keeps this build while the witness serves (docs/decisions/0012); loaded here, not for --help.
  const { pinBuild } = await import('@ostracon/common');
  pinBuild();
  const me = identity(options.name, options.keyFile);
  mkdirSync(options.stateDir, { recursive: true });
  const state = new WitnessState(options.stateDir);
  state.lock();
  const logs = new Map<string, NoteVerifier[]>();
  for (const key of options.log) logs.set(key.name, [...(logs.get(key.name) ?? []), key]);
  const witness = new Witness(me, logs, state, (refusal) => {
    // The evidence of a split view (or of a log that went back): loud, and kept.
    logger.error(
      { origin: refusal.origin, reason: refusal.reason },
      'REFUSED a checkpoint inconsistent with the one cosigned: possible split view',
    );
    void state
      .recordRefusal({ at: new Date().toISOString(), ...refusal })
      .catch((error: Error) => logger.error({ err: error }, 'could not record the refusal'));
  });

  const server = createServer((request, response) => {
    const reply = (answer: Answer) => {
      response.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-store' }).end(answer.body);
      logger.info({ method: request.method, url: request.url, status: answer.status }, 'request');
    };
    const path = (request.url ?? '/').split('?')[0]!;
    if (request.method === 'GET' && path === '/') {
      return reply({
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: `${verifierKey(me.name, me.publicKey, COSIGNATURE_V1)}\n`,
      });
    }
    const latest = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
    if (request.method === 'GET' && latest) return void witness.latest(latest[1]!).then(reply, fail);
    if (path !== '/add-checkpoint') return reply({ status: 404, contentType: 'text/plain; charset=utf-8', body: 'POST /add-checkpoint\n' });
    if (request.method !== 'POST') return reply({ status: 405, contentType: 'text/plain; charset=utf-8', body: 'POST /add-checkpoint\n' });
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reply({ status: 413, contentType: 'text/plain; charset=utf-8', body: 'too large\n' });
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > BODY_LIMIT) return;
      const body = Buffer.concat(chunks);
      const decoded = new TextDecoder('utf-8', { fatal: true });
      let textBody: string;
      try {
        textBody = decoded.decode(body);
      } catch {
        return reply({ status: 400, contentType: 'text/plain; charset=utf-8', body: 'not UTF-8\n' });
      }
      witness.addCheckpoint(textBody).then(reply, fail);
    });
    function fail(error: Error) {
      logger.error({ err: error }, 'request failed');
      reply({ status: 500, contentType: 'text/plain; charset=utf-8', body: 'internal error\n' });
    }
  });
  server.keepAliveTimeout = 30_000;
  // A slow or endless client is cut off; a crowd of them is capped.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.maxConnections = 1024;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const address = server.address() as { port: number };
  logger.info(
    { name: me.name, verifierKey: verifierKey(me.name, me.publicKey, COSIGNATURE_V1), logs: [...logs.keys()], port: address.port },
    `witness ready on http://${options.host}:${address.port}`,
  );
  const stop = () => {
    server.close(() => {
      state.unlock();
      logger.info('witness stopped');
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export function keygen(options: { name: string; keyFile: string }): string {
  writeFileSync(options.keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return verifierKey(options.name, identity(options.name, options.keyFile).publicKey, COSIGNATURE_V1);
}

function main(argv: string[]): void {
  const program = new Command('witness').description('an audit-log witness for Ostracon (c2sp.org/tlog-witness)');
  program
    .command('keygen')
    .description("creates the witness's Ed25519 key (a new file, mode 0600) and prints its verifier key, for the log's AUDIT_WITNESSES")
    .requiredOption('--name <name>', "the witness's name, a schema-less URL such as witness.example/cnil")
    .requiredOption('--key-file <file>', 'where to write the key')
    .action((o: { name: string; keyFile: string }) => {
      process.stdout.write(`${keygen(o)}\n`);
    });
  program
    .command('serve')
    .description('serves add-checkpoint (POST /add-checkpoint) and the latest cosigned checkpoint (GET /<sha256 of origin>/checkpoint)')
    .requiredOption('--name <name>', "the witness's name (as at keygen)")
    .requiredOption('--key-file <file>', "the witness's key")
    .requiredOption('--log <vkey>', "a log's verifier key (repeat for several logs or keys); its name is the log's origin", logKey)
    .requiredOption('--state-dir <dir>', 'where the last cosigned checkpoint of each log is kept')
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--port <port>', 'the port to listen on', port, 7380)
    .action((o: Parameters<typeof serve>[0]) =>
      serve(o).catch((error: Error) => {
        process.stderr.write(`witness: ${error.message}\n`);
        process.exit(1);
      }),
    );
  program.parse(argv);
}

if (require.main === module) main(process.argv);
