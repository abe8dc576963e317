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
  /** For tests and custom agents. */
  fetch?: typeof fetch;
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

/** The HTTP transport: the bearer key, problem+json errors, and retries that honour `Retry-After`. */
export class HttpTransport {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
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
      let response: Response;
      try {
        response = await this.fetch(url, {
          method: options.method ?? 'GET',
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: anySignal(options.signal, AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 10_000)),
        });
      } catch (error) {
        if (options.signal?.aborted || !safeToResend || attempt >= maxAttempts) throw error;
        await sleep(this.backoff(attempt), options.signal);
        continue;
      }
      if (response.ok) return (await response.json()) as T;
      const retryable = response.status === 429 || response.status === 503 || (safeToResend && RETRYABLE.has(response.status));
      if (retryable && attempt < maxAttempts) {
        await response.body?.cancel();
        await sleep(this.retryDelay(response.headers.get('retry-after'), attempt), options.signal);
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

async function problemOf(response: Response): Promise<OstraconError> {
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
