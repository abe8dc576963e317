import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** A problem+json answer from the service (docs/errors.md): `code` is stable, `detail` is for people. */
export class OstraconError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly problem: Record<string, unknown> = {},
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'OstraconError';
  }
}

export interface ClientOptions {
  /** The service's base URL, e.g. https://ostracon.example.fr */
  baseUrl: string;
  /** The platform's API key. */
  apiKey: string;
  /** Attempts for a request the service asks to retry (429, 503) or that never reached it; default 4. */
  maxAttempts?: number;
  /** Longest wait between attempts, in ms, whatever `Retry-After` says; default 30 s. */
  maxRetryDelayMs?: number;
  /** Per-attempt timeout in ms; default 10 s. */
  timeoutMs?: number;
  /**
   * Sends the requests instead of the SDK's own client (for tests, proxies, custom agents). By
   * default the SDK uses node:http(s) with one kept-alive connection pool per client: a check is
   * one POST, and reusing a connection spares it a TCP (and TLS) handshake; node:http also costs
   * a fraction of `fetch`'s CPU a request (docs/performance.md).
   */
  fetch?: typeof fetch;
}

/** An answer, whichever client carried it. */
interface Answer {
  status: number;
  statusText: string;
  header(name: string): string | null;
  json(): Promise<unknown>;
  /** Drops the body unread. */
  discard(): Promise<void>;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Overrides the client's timeout (long polls). */
  timeoutMs?: number;
  /** A POST that changes nothing (an evaluation): resent after a network error or a 502/504 too. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * One request over node:http(s) through `agent` (kept-alive connections). A kept-alive
 * connection the service closed while it sat idle fails the next request sent on it before any
 * answer (ECONNRESET on a reused socket, as Node's documentation describes): that one is sent
 * again once, on a new connection, whatever the method, as the service never saw it.
 */
function nodeRequest(
  agents: { http: HttpAgent; https: HttpsAgent },
  url: URL,
  init: { method: string; headers: Record<string, string>; body: string | undefined; signal: AbortSignal },
): Promise<Answer> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
  return new Promise<Answer>((resolve, reject) => {
    let answered = false;
    const req = send(url, { method: init.method, headers, agent: secure ? agents.https : agents.http, signal: init.signal }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const body = new Promise<Buffer>((done, failed) => {
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(Buffer.concat(chunks)));
        res.on('error', failed);
        res.on('aborted', () => failed(new Error('the service closed the connection mid-answer')));
      });
      body.catch(() => undefined); // read or discarded by the caller
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        header: (name) => {
          const value = res.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
        json: async () => JSON.parse((await body).toString('utf8')) as unknown,
        discard: async () => {
          await body.catch(() => undefined);
        },
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Only before any answer: an error once one began is the body's (its reader sees it). A
      // reset on a reused connection is not resent here: the service may have received the POST
      // before it went (a match recorded), so `request` resends only what is safe to resend.
      if (!answered) reject(error);
    });
    req.end(init.body);
  });
}

function fetchAnswer(response: Response): Answer {
  return {
    status: response.status,
    statusText: response.statusText,
    header: (name) => response.headers.get(name),
    json: () => response.json(),
    discard: async () => {
      await response.body?.cancel();
    },
  };
}

/** The HTTP transport: the bearer key, problem+json errors, and retries that honour `Retry-After`. */
export class HttpTransport {
  private readonly baseUrl: string;
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** Closes the kept-alive connections (idle ones never keep the process alive anyway). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async send(url: URL, init: { method: string; headers: Record<string, string>; body: string | undefined; signal: AbortSignal }) {
    if (this.options.fetch) return fetchAnswer(await this.options.fetch(url, init));
    return nodeRequest(this.agents, url, init);
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    // A POST is retried only when the service said it did nothing (429, 503): resending one that
    // may have arrived could record a match twice.
    const safeToResend = options.method !== 'POST' || options.idempotent === true;
    for (let attempt = 1; ; attempt++) {
      let response: Answer;
      try {
        response = await this.send(url, {
          method: options.method ?? 'GET',
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: anySignal(options.signal, AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 10_000)),
        });
        if (response.status >= 200 && response.status < 300) return (await response.json()) as T;
      } catch (error) {
        if (options.signal?.aborted || !safeToResend || attempt >= maxAttempts) throw error;
        await sleep(this.backoff(attempt), options.signal);
        continue;
      }
      const retryable = response.status === 429 || response.status === 503 || (safeToResend && RETRYABLE.has(response.status));
      if (retryable && attempt < maxAttempts) {
        await response.discard();
        await sleep(this.retryDelay(response.header('retry-after'), attempt), options.signal);
        continue;
      }
      throw await problemOf(response);
    }
  }

  private retryDelay(retryAfter: string | null, attempt: number): number {
    const max = this.options.maxRetryDelayMs ?? 30_000;
    if (retryAfter !== null) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (Number.isFinite(ms)) return Math.min(max, Math.max(0, ms));
    }
    return Math.min(max, this.backoff(attempt));
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.maxRetryDelayMs ?? 30_000, 250 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
  }
}

async function problemOf(response: Answer): Promise<OstraconError> {
  let problem: Record<string, unknown> = {};
  try {
    problem = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not problem+json (a proxy's page): the status says enough.
  }
  const code = typeof problem.code === 'string' ? problem.code : `http_${response.status}`;
  const detail =
    typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : response.statusText;
  return new OstraconError(response.status, code, detail, problem);
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
