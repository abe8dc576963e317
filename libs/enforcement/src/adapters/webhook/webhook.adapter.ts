import { createHmac } from 'node:crypto';
import { type LookupAddress, type LookupOptions, lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import type { DeliveryResult, DirectivePayload, PlatformAdapter, PlatformTarget } from '../platform-adapter';

/** Retry-After in seconds or as an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** The webhook's host resolved to an address the worker may not reach (`allowPrivateAddresses: false`). */
class ForbiddenAddressError extends Error {}

/** A public unicast address: not loopback, private, link-local, CGNAT, multicast, reserved or unspecified. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** dns.lookup, refusing to hand the socket an address that is not public. */
const publicOnlyLookup = (hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void): void => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error);
    const list = addresses as LookupAddress[];
    const refused = list.find((a) => !isPublicAddress(a.address));
    if (refused || list.length === 0) return callback(new ForbiddenAddressError(`${hostname} is not a public address`));
    if (options.all) return callback(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * A Standard Webhooks signer: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, as
 * standardwebhooks' `Webhook.sign`, with node:crypto's HMAC rather than its pure-JavaScript
 * SHA-256 (profiled: the signatures took 5 % of the worker's thread, most of it that hash and
 * decoding the secret again for each directive). The secret is decoded, and checked, once by
 * standardwebhooks itself.
 */
class Signer {
  private readonly key: Buffer;

  constructor(secret: string) {
    new Webhook(secret); // throws on a secret Standard Webhooks would refuse
    this.key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  }

  sign(webhookId: string, at: Date, body: string): string {
    const hmac = createHmac('sha256', this.key).update(`${webhookId}.${Math.floor(at.getTime() / 1000)}.${body}`);
    return `v1,${hmac.digest('base64')}`;
  }
}

/** How many webhook URLs are kept parsed (a worker delivers to a handful of platforms). */
const KEPT_URLS = 64;

/** A reused kept-alive connection was already closed by the platform: nothing was answered. */
class StaleConnectionError extends Error {}

/** The answer that matters: status and Retry-After; the body is read and dropped. */
interface WebhookAnswer {
  status: number;
  retryAfter: string | null;
}

/**
 * Push: POST the directive to the platform's webhook, signed Standard Webhooks style
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`). 2xx is delivered; 408, 429, 5xx and network errors are retried;
 * any other 4xx is final; redirects are not followed (a 3xx is retried as an invalid answer).
 *
 * node:http with keep-alive rather than fetch: the worker's CPU bounds delivery, and fetch
 * spent about 280 µs more per request on this machine (docs/enforcement.md § Throughput).
 */
export class WebhookAdapter implements PlatformAdapter {
  readonly name = 'webhook';
  private readonly agents: { 'http:': HttpAgent; 'https:': HttpsAgent };
  /**
   * By target: the delivery service opens a platform's secrets once for a batch of its directives
   * and hands each the same target, so the secrets are decoded once a batch, and kept no longer.
   */
  private readonly signers = new WeakMap<PlatformTarget, Signer[]>();
  /** By webhook URL, parsed once (node:http reads a URL object and does not change it). */
  private readonly urls = new Map<string, URL>();

  /**
   * `allowPrivateAddresses: false` (production's default) refuses to connect to a loopback,
   * private, link-local or otherwise non-public address, checked on the address actually
   * connected to (after DNS), so a webhook URL cannot reach into the worker's own network.
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly options: { allowPrivateAddresses: boolean } = { allowPrivateAddresses: true },
  ) {
    const lookup = options.allowPrivateAddresses ? undefined : publicOnlyLookup;
    this.agents = {
      'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo', ...(lookup ? { lookup } : {}) } as never),
      'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo', ...(lookup ? { lookup } : {}) } as never),
    };
  }

  /** Every push platform (decided by `deliveryMode`, libs/platforms): it has a webhook URL and its secret. */
  handles(target: PlatformTarget): boolean {
    return target.webhookUrl !== null && target.webhookSecret !== null;
  }

  async deliver(target: PlatformTarget, payload: DirectivePayload, attempt: { webhookId: string; at: Date }): Promise<DeliveryResult> {
    if (!target.webhookUrl || !target.webhookSecret) return { kind: 'failed', reason: 'invalid_response' };
    const webhookUrl = target.webhookUrl;
    let url = this.urls.get(webhookUrl);
    if (!url) {
      if (this.urls.size >= KEPT_URLS) this.urls.clear();
      url = new URL(webhookUrl);
      this.urls.set(webhookUrl, url);
    }
    // A literal IP connects without a lookup: checked here.
    if (
      !this.options.allowPrivateAddresses &&
      isIP(url.hostname.replace(/^\[|\]$/g, '')) &&
      !isPublicAddress(url.hostname.replace(/^\[|\]$/g, ''))
    ) {
      return { kind: 'failed', reason: 'unreachable' };
    }
    const body = JSON.stringify(payload);
    // During a rotation's overlap both secrets sign, space-separated as Standard Webhooks allows:
    // a verifier holding either accepts.
    let signers = this.signers.get(target);
    if (!signers) {
      signers = [target.webhookSecret, target.previousWebhookSecret]
        .filter((secret): secret is string => !!secret)
        .map((secret) => new Signer(secret));
      this.signers.set(target, signers);
    }
    const signature = signers.map((signer) => signer.sign(attempt.webhookId, attempt.at, body)).join(' ');
    const deadline = AbortSignal.timeout(this.timeoutMs);
    let answer: WebhookAnswer;
    try {
      answer = await this.post(url, body, deadline, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Ostracon-Directives/1',
        'webhook-id': attempt.webhookId,
        'webhook-timestamp': String(Math.floor(attempt.at.getTime() / 1000)),
        'webhook-signature': signature,
      });
    } catch (error) {
      if (error instanceof ForbiddenAddressError) return { kind: 'failed', reason: 'unreachable' };
      return { kind: 'retry', reason: deadline.aborted ? 'timeout' : 'network' };
    }
    const { status } = answer;
    if (status >= 200 && status < 300) return { kind: 'delivered', status };
    const retryAfterMs = parseRetryAfter(answer.retryAfter, attempt.at);
    if (status === 408) return { kind: 'retry', reason: 'http_408', status, retryAfterMs };
    if (status === 429) return { kind: 'retry', reason: 'http_429', status, retryAfterMs };
    if (status >= 500) return { kind: 'retry', reason: 'http_5xx', status, retryAfterMs };
    if (status >= 400) return { kind: 'failed', reason: 'http_4xx', status };
    // 1xx/3xx: the platform did not take it.
    return { kind: 'retry', reason: 'invalid_response', status };
  }

  /**
   * One POST, answered within the timeout (headers and body), or rejected. A kept-alive
   * connection the platform closed just as we reused it fails before any answer: that POST is
   * sent again on a new connection, as Node's documentation advises, rather than spending an
   * attempt (the webhook-id is the same, so a platform that did get it can drop the copy).
   */
  private async post(url: URL, body: string, signal: AbortSignal, headers: Record<string, string>): Promise<WebhookAnswer> {
    for (let reuses = 0; ; reuses++) {
      try {
        return await this.postOnce(url, body, signal, headers);
      } catch (error) {
        if (!(error instanceof StaleConnectionError) || reuses >= 2 || signal.aborted) throw error;
      }
    }
  }

  private postOnce(url: URL, body: string, signal: AbortSignal, headers: Record<string, string>): Promise<WebhookAnswer> {
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
    const send = protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookAnswer>((resolve, reject) => {
      let answered = false;
      const request = send(url, { method: 'POST', headers, agent: this.agents[protocol], signal }, (response) => {
        answered = true;
        const retryAfter = response.headers['retry-after'] ?? null;
        // The answer's body is not ours to keep; read it to the end so the connection is reused.
        response.on('data', () => undefined);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter }));
        response.on('error', reject);
        // Cut off before its end (the platform went away, or the timeout): not an answer.
        response.on('close', () => {
          if (!response.complete) reject(new Error('the answer was cut off'));
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const stale = request.reusedSocket && !answered && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        reject(stale ? new StaleConnectionError(error.message) : error);
      });
      request.end(body);
    });
  }

  /** Closes the kept-alive connections (the worker's shutdown). */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
