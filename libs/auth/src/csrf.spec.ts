import { passesCsrfCheck } from './csrf';

const ORIGIN = 'https://ostracon.example.gouv.fr';
const TOKEN = 'a'.repeat(43);

describe('passesCsrfCheck', () => {
  it('lets safe methods through: they change nothing', () => {
    expect(passesCsrfCheck('GET', { 'sec-fetch-site': 'cross-site' }, ORIGIN, TOKEN)).toBe(true);
    expect(passesCsrfCheck('HEAD', {}, ORIGIN, TOKEN)).toBe(true);
  });

  it('admits a same-origin change that echoes the session token', () => {
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'same-origin', 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(true);
    expect(passesCsrfCheck('POST', { origin: ORIGIN, 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(true);
    // A non-browser client sends neither header: the token alone decides.
    expect(passesCsrfCheck('DELETE', { 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(true);
  });

  it('refuses another site, a sibling subdomain, and a missing or wrong token', () => {
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'cross-site', 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'same-site', 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { origin: 'https://evil.example', 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'same-origin' }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'same-origin', 'x-csrf-token': 'b'.repeat(43) }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('PATCH', { 'x-csrf-token': TOKEN.slice(1) }, ORIGIN, TOKEN)).toBe(false);
  });
});
