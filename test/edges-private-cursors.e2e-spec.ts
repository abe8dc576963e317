import type { CreatedClient } from '@ostracon/auth';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Issue 29 § 5: private-set cursors were plain base64 (`f.<keyId>.<version>`), and forged
 * well-formed ones were accepted. They carry a MAC now: a forged, altered or borrowed one opens
 * nothing.
 */
describe('edges: private-set cursors are authenticated', () => {
  let t: TestApp;
  let a: CreatedClient;
  let b: CreatedClient;
  const page = (client: CreatedClient, cursor?: string) =>
    t.request({ method: 'GET', url: `/v1/private/set${cursor === undefined ? '' : `?cursor=${cursor}`}`, key: client.apiKey });
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.client('platform', await t.platform('cura'));
    b = await t.client('platform', await t.platform('curb'));
  });
  afterAll(() => t.close());

  it('accepts the cursors it issued, to the platform it issued them to', async () => {
    const first = await page(a);
    expect(first.status).toBe(200);
    const again = await page(a, first.body.cursor);
    expect(again.status).toBe(200);
    expect((await page(a, again.body.cursor)).status).toBe(200);
  });

  it('refuses a forged or altered cursor with PRIVATE.CURSOR_INVALID', async () => {
    const first = await page(a);
    const keyId = first.body.keyId as string;
    const cursor = first.body.cursor as string;
    const [body, mac] = cursor.split('.');
    expect(mac).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const position = Buffer.from(body!, 'base64url').toString('utf8');
    const forged = [
      // Another position under the issued MAC.
      `${b64(`${position}1`)}.${mac}`,
      `${b64(`f.${keyId}.12345`)}.${mac}`,
      // A position of one's own with a made-up MAC.
      `${b64(`f.${keyId}.0`)}.${'A'.repeat(22)}`,
      `${b64(`f.${keyId}.999999`)}.${Buffer.alloc(16, 7).toString('base64url')}`,
      // The issued cursor, its MAC cut or lengthened.
      `${body}.${mac!.slice(0, 21)}`,
      `${body}.${mac}A`,
      `${cursor}.x`,
    ];
    for (const c of forged) {
      const res = await page(a, c);
      expect([c, res.status, res.body.code]).toEqual([c, 400, 'PRIVATE.CURSOR_INVALID']);
      expect(res.body.entries).toBeUndefined();
    }
  });

  it("refuses another platform's cursor: results stay the caller's set", async () => {
    const ofA = (await page(a)).body.cursor as string;
    const res = await page(b, ofA);
    expect([res.status, res.body.code]).toEqual([400, 'PRIVATE.CURSOR_INVALID']);
  });

  it('opens nothing with a cursor in the old, unauthenticated shape: download again (410), never a page', async () => {
    const keyId = (await page(a)).body.keyId as string;
    for (const c of [b64(`f.${keyId}.0`), b64(`f.${keyId}.123`), b64(`d.${keyId}.0.${'0'.repeat(32)}`)]) {
      const res = await page(a, c);
      expect([c, res.status, res.body.code]).toEqual([c, 410, 'PRIVATE.CURSOR_STALE']);
    }
  });
});
