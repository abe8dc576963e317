/**
 * Baseline of the private check's latency (issue 31 §4): the simplest server of the same
 * cryptographic job, on `node:http` alone. It evaluates a batch of blinded elements under its key
 * with one DLEQ proof (RFC 9497 VOPRF, ristretto255-SHA512, the SDK's own protocol functions, in
 * the main thread), and nothing else: no API key, no rate limit, no schema beyond the elements'
 * validity, no metrics, no thread hand-off. bench/private-load.ts (mode `bare`) is its client:
 * the same signals prepared, blinded, verified and unblinded as the SDK does, over one kept-alive
 * connection per check in flight.
 *
 * Started by private.bench.ts as its own process; prints "ready <port> <public key hex>".
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { voprf } from '@ostracon/platform-sdk';

const { blindEvaluateBatch, isValidElement, loadVoprf, publicKeyOf, randomScalar } = voprf;

async function main() {
  await loadVoprf();
  const secretKey = randomScalar();
  const publicKey = publicKeyOf(secretKey);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { blindedElements } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { blindedElements: string[] };
      const elements = blindedElements.map((e) => Uint8Array.from(Buffer.from(e, 'hex')));
      if (elements.length === 0 || !elements.every(isValidElement)) {
        res.writeHead(400).end();
        return;
      }
      const { evaluatedElements, proof } = blindEvaluateBatch(secretKey, publicKey, elements);
      const body = JSON.stringify({
        evaluatedElements: evaluatedElements.map((e) => Buffer.from(e).toString('hex')),
        proof: Buffer.from(proof).toString('hex'),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`ready ${(server.address() as AddressInfo).port} ${Buffer.from(publicKey).toString('hex')}\n`),
  );
}

void main();
