import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/**
 * The built API (dist/) as `npm start` runs it (NODE_ENV development, the default log level, the
 * development sign-in provider mounted), on a random port, rate limits out of the way; resolves
 * once ready.
 */
export async function startApi(env: Record<string, string> = {}): Promise<{ child: ChildProcess; base: string }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const { LOG_LEVEL: _benchLogLevel, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(__dirname, '..', 'apps', 'api', 'src', 'main.js')], {
    env: {
      ...inherited,
      NODE_ENV: 'development',
      LOCAL_OIDC_PROVIDER: 'true',
      ...(process.env.BENCH_API_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL } : {}),
      PORT: String(port),
      SIGNUP_RATE_PER_SECOND: '10000000',
      SIGNUP_RATE_BURST: '100000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  // Five minutes: an API loading 10 million signals (issue 31) takes more than two on a shared machine.
  const deadline = Date.now() + 300_000;
  for (;;) {
    const ready = await fetch(`${base}/health/ready`).catch(() => null);
    if (ready?.status === 200) return { child, base };
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the API did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}
