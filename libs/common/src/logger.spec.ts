import { Writable } from 'node:stream';
import { createLogger, serializeError, serializeRequest } from './logger';

/** What TypeORM throws for a failed statement: its text, its parameters, and the driver's error. */
function queryFailed(parameters: unknown[]) {
  const driverError = Object.assign(new Error('invalid input syntax for type uuid: "Jeanne Testeuse"'), {
    code: '22P02',
    severity: 'ERROR',
    routine: 'string_to_uuid',
    detail: 'Key (court)=(Jeanne Testeuse) already exists.',
    where: "unnamed portal parameter $1 = 'Jeanne Testeuse'",
  });
  return Object.assign(new Error(driverError.message), {
    name: 'QueryFailedError',
    query: 'SELECT 1 FROM ban_orders WHERE id = $1',
    parameters,
    driverError,
  });
}

describe('error log lines', () => {
  it('keep a failed statement’s SQLSTATE and text, never its parameters or the values the driver quotes', () => {
    const out = JSON.stringify(serializeError(queryFailed(['Jeanne Testeuse', 'x\u0000'])));
    expect(out).toContain('22P02');
    expect(out).toContain('string_to_uuid');
    expect(out).toContain('SELECT 1 FROM ban_orders WHERE id = $1');
    expect(out).not.toContain('Jeanne');
    expect(out).not.toContain('parameters');
  });

  it('go through that serializer in the loggers the apps make', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', name: 'test', destination: destination as never });
    logger.error({ err: queryFailed(['Jeanne Testeuse']) }, 'unhandled error');
    expect(lines.join('')).toContain('22P02');
    expect(lines.join('')).not.toContain('Jeanne');
  });

  it('keep the message of other errors', () => {
    expect(serializeError(new Error('the index is loading'))).toMatchObject({ type: 'Error', message: 'the index is loading' });
  });
});

describe('request log lines', () => {
  it('drop the query of the sign-in callback and of the provider, and keep every other URL', () => {
    expect(serializeRequest({ method: 'GET', url: '/auth/callback?code=abc&state=def', ip: '127.0.0.1' }).url).toBe(
      '/auth/callback?[redacted]',
    );
    expect(serializeRequest({ method: 'GET', url: '/oidc/auth?state=s&nonce=n' }).url).toBe('/oidc/auth?[redacted]');
    expect(serializeRequest({ method: 'GET', url: '/v1/orders?status=active' }).url).toBe('/v1/orders?status=active');
    expect(serializeRequest({ method: 'GET', url: '/auth/callback' }).url).toBe('/auth/callback');
  });
});
