import { isDependencyUnavailable } from './unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDependencyUnavailable: what answers 503 rather than 500', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['an AggregateError of refused connections (Node tries each address)', new AggregateError([withCode('ECONNREFUSED')], 'connect')],
    ['an administrator shutdown (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['a server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['too many connections (53300)', withCode('53300')],
    ['a connection exception (class 08)', withCode('08006')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['the pool waiting too long for a connection', new Error('timeout exceeded when trying to connect')],
    ['TypeORM wrapping the driver’s error', Object.assign(new Error('wrapped'), { driverError: withCode('57P01') })],
    ['a cause chain', new Error('outer', { cause: withCode('ETIMEDOUT') })],
    ['ioredis with the connection closed', new Error('Connection is closed.')],
    [
      'ioredis out of retries',
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
    ],
  ])('%s', (_name, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error in a statement', withCode('42601')],
    ['an invalid text representation', withCode('22P02')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error at all', 'ECONNREFUSED'],
    ['null', null],
  ])('%s is not', (_name, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
  });
});
