/**
 * A browser as far as sign-in needs one: real HTTP (fetch), redirects followed by hand, cookies
 * kept per host (paths and expiry as far as the flow needs them). It drives the real
 * authorization-code flow against the local OpenID provider the API mounts at /oidc.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  constructor(readonly base: string) {}

  cookie(name: string, host = new URL(this.base).host): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  setCookie(name: string, value: string | undefined, host = new URL(this.base).host): void {
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    if (value === undefined) cookies.delete(name);
    else cookies.set(name, value);
    this.jar.set(host, cookies);
  }

  /** One request, no redirect followed; cookies sent and stored. */
  async fetch(url: string | URL, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url, this.base);
    const cookies = [...(this.jar.get(target.host) ?? new Map<string, string>()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), ...(cookies ? { cookie: cookies } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const expired = attributes.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()),
      );
      this.setCookie(name, expired || value === '' ? undefined : value, target.host);
    }
    return response;
  }

  /** Follows redirects from `url` until an answer that is not one, or until `stop` says so of a location. */
  async follow(url: string | URL, stop?: (location: URL) => boolean): Promise<{ response: Response; url: URL }> {
    let current = new URL(url, this.base);
    for (let hops = 0; hops < 20; hops++) {
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
      const next = new URL(location, current);
      if (stop?.(next)) return { response, url: next };
      current = next;
    }
    throw new Error('too many redirects');
  }

  /**
   * Signs in through the provider's login form as `login` (the local provider's account: the
   * e-mail), and stops at the redirect back to the API's callback: its URL, for the test to send
   * (or tamper with).
   */
  async toCallback(login: string, returnTo?: string): Promise<URL> {
    const start = `/auth/sign-in${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;
    const isCallback = (u: URL) => u.pathname === '/auth/callback';
    const form = await this.follow(start, isCallback);
    if (isCallback(form.url)) return form.url; // already signed in at the provider
    const uid = /\/oidc\/interaction\/([^/]+)$/.exec(form.url.pathname)?.[1];
    if (!uid || form.response.status !== 200)
      throw new Error(`expected the provider's login form, got ${form.response.status} at ${form.url}`);
    await form.response.text();
    const posted = await this.fetch(`/oidc/interaction/${uid}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
    });
    const after = posted.headers.get('location');
    if (!after) throw new Error(`the provider did not accept the login: ${posted.status} ${await posted.text()}`);
    const back = await this.follow(new URL(after, this.base), isCallback);
    if (!isCallback(back.url)) throw new Error(`expected a redirect to the callback, got ${back.response.status} at ${back.url}`);
    return back.url;
  }

  /** The whole sign-in: the callback's answer (303 with a session cookie, or the refusal page). */
  async signIn(login: string, returnTo?: string): Promise<Response> {
    return this.fetch(await this.toCallback(login, returnTo));
  }
}
