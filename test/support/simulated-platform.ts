import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  timestamp: string;
  signature: string;
  rawBody: string;
  body: any;
  at: number;
}

/** What the platform does with the next request: answer a status, hang, drop the connection, or start a 200 and cut it off. */
export type Behaviour = { status: number; retryAfter?: string } | { hang: true } | { drop: true } | { cutOff: true };

/**
 * A platform's webhook receiver, as a real HTTP server on 127.0.0.1. It verifies every request
 * with the documented method (Standard Webhooks: HMAC-SHA256 of "id.timestamp.body", 5-minute
 * tolerance) and answers 401 to anything that does not verify. Told what to do per request.
 */
export class SimulatedPlatform {
  /** The secret its verifier holds; a test may hand it another (a rotation). */
  secret = `whsec_${randomBytes(32).toString('base64')}`;
  readonly received: Received[] = [];
  rejected = 0;
  requests = 0;
  /** Verified requests not yet answered, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  private script: Behaviour[] = [];
  private fallback: Behaviour = { status: 200 };
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  delayMs = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this.url;
  }

  get url(): string {
    const address = this.server!.address() as { port: number };
    return `http://127.0.0.1:${address.port}/ostracon/directives`;
  }

  /** The next requests get these answers, in order; then `always`. */
  respond(...behaviours: Behaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  always(behaviour: Behaviour): this {
    this.fallback = behaviour;
    return this;
  }

  /** Standard Webhooks verification, as a platform would run it. Throws if it does not verify. */
  verify(rawBody: string, headers: Record<string, string>): unknown {
    return new Webhook(this.secret).verify(rawBody, headers);
  }

  ids(): string[] {
    return this.received.map((r) => r.body.id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    let body: unknown;
    try {
      body = this.verify(rawBody, headers);
    } catch {
      this.rejected++;
      res.writeHead(401).end('bad signature');
      return;
    }
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    // Answered, hung up or cut off: no longer in flight.
    res.once('close', () => this.inFlight--);
    const behaviour = this.script.shift() ?? this.fallback;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if ('hang' in behaviour) {
      this.hanging.add(res);
      return;
    }
    if ('drop' in behaviour) {
      req.socket.destroy();
      return;
    }
    if ('cutOff' in behaviour) {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"ok":');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    if (behaviour.status >= 200 && behaviour.status < 300) {
      this.received.push({
        webhookId: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        rawBody,
        body,
        at: Date.now(),
      });
    }
    res.writeHead(behaviour.status, behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {}).end();
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    this.server?.close();
  }
}
