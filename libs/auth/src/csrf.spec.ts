import { passesCsrfCheck } from './csrf';

const ORIGIN = 'https://ostracon.example.gouv.fr';
const TOKEN = 'a'.repeat(43);

describe('passesCsrfCheck', () => {
  it('lets same-origin, typed and non-browser reads through without a token', () => {
    expect(passesCsrfCheck('GET', { 'sec-fetch-site': 'same-origin' }, ORIGIN, TOKEN)).toBe(true);
    expect(passesCsrfCheck('GET', { 'sec-fetch-site': 'none' }, ORIGIN, TOKEN)).toBe(true);
    expect(passesCsrfCheck('HEAD', {}, ORIGIN, TOKEN)).toBe(true);
  });

  it('refuses a read another site leads to: audited reads must not be written in someone’s name', () => {
    expect(passesCsrfCheck('GET', { 'sec-fetch-site': 'cross-site' }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('GET', { 'sec-fetch-site': 'same-site' }, ORIGIN, TOKEN)).toBe(false);
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
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'none', 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { origin: 'null', 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { origin: 'https://evil.example', 'x-csrf-token': TOKEN }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'same-origin' }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('POST', { 'sec-fetch-site': 'same-origin', 'x-csrf-token': 'b'.repeat(43) }, ORIGIN, TOKEN)).toBe(false);
    expect(passesCsrfCheck('PATCH', { 'x-csrf-token': TOKEN.slice(1) }, ORIGIN, TOKEN)).toBe(false);
  });
});
