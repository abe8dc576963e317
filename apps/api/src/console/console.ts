import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * What the console's pages may do (docs/console.md): load the service's own scripts, styles,
 * fonts and images, talk to its own API, and nothing else; never be framed.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

/** The console's build (`vite build` into dist/console), from the source tree or the compiled one. */
export function consoleDirectory(from = __dirname): string | null {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, 'dist', 'console'), join(dir, 'console')]) {
      // A build has its assets beside its page (apps/console/index.html alone is the source).
      // Its real path: dist/ is a link that the next build moves (scripts/build.mjs), and this
      // process serves the build it started with.
      if (existsSync(join(candidate, 'index.html')) && existsSync(join(candidate, 'assets'))) return realpathSync(candidate);
    }
    dir = dirname(dir);
  }
  return null;
}

/**
 * Serves the console at /console/ (apps/console, a static build): hashed assets cached for a
 * year, the page itself never, every answer under CONSOLE_CSP. Its data comes from /v1 with the
 * person's session.
 */
export async function registerConsole(fastify: FastifyInstance, logger: Logger, root = consoleDirectory()): Promise<void> {
  if (!root) {
    logger.warn('console not built (npm run build): /console answers 503');
    fastify.get('/console/*', async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run npm run build.\n'),
    );
  } else {
    await fastify.register(fastifyStatic, {
      root,
      prefix: '/console/',
      decorateReply: false,
      index: ['index.html'],
      setHeaders: (reply, path) => {
        void reply.header('content-security-policy', CONSOLE_CSP);
        void reply.header('x-content-type-options', 'nosniff');
        void reply.header('referrer-policy', 'same-origin');
        void reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  fastify.get('/console', async (_request, reply) => reply.redirect('/console/', 301));
}
