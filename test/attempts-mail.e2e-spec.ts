import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { PeopleService } from '@ostracon/auth';
import { ScreeningIndexService } from '@ostracon/screening';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { RAW, orderBody } from './support/builders';
import { OffsetClock, waitFor } from './support/isolated';
import { type World, startWorld } from './support/world';

/**
 * The mail of an attempt through a real SMTP server (smtp-server, on 127.0.0.1) with SMTP_URL set:
 * the worker's polling sender plans one mail per opted-in person and attempt in PostgreSQL and
 * sends it through nodemailer; the mail says only that there is something to read (docs/attempts.md).
 */
jest.setTimeout(120_000);

describe('attempt mails through SMTP', () => {
  let world: World;
  let smtp: SMTPServer;
  const received: { to: string[]; mail: ParsedMail }[] = [];
  /** A recipient the server refuses once (450: try later), as a busy mailbox would. */
  let refuseOnce: string | null = null;
  const clock = new OffsetClock();

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address === refuseOnce) {
          refuseOnce = null;
          return callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 450 }));
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
            callback();
          })
          .catch(callback);
      },
    });
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
    const port = (smtp.server.address() as AddressInfo).port;
    world = await startWorld('attempts-mail', {
      clock,
      worker: { relay: false, delivery: false, lifecycle: false, auditTree: false },
      config: (c) => ({
        ...c,
        mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Ostracon <ne-pas-repondre@ostracon.example.fr>', sweepMs: 100, keep: false },
      }),
    });
  });
  afterAll(async () => {
    await world?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('sends one mail to each person who asked, with a link to the inbox and nothing of the order', async () => {
    const people = world.api.app.get(PeopleService);
    const unique = randomBytes(3).toString('hex');
    const asking = await people.invite({ email: `greffe.${unique}@justice.example.fr`, organisation: world.authority.organisation }, 'cli');
    await people.invite({ email: `silence.${unique}@justice.example.fr`, organisation: world.authority.organisation }, 'cli');
    await people.setAttemptMails(asking.id, true, 'cli', new Date(Date.now() - 1000));
    const platform = await world.api.platform('mail');
    const key = (await world.api.client('platform', platform)).apiKey;
    const created = await world.submit(orderBody(platform, new Date()));
    expect(created.status).toBe(201);
    await waitFor(() => world.api.app.get(ScreeningIndexService).current?.has(created.body.id), 'the order in the index', 10_000);
    const check = await world.api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key,
      body: { signals: [{ type: 'email', value: RAW.email }] },
    });
    expect(check.body.decision).toBe('block');

    await waitFor(() => received.length > 0, 'the mail at the SMTP server');
    // A second attempt is a second mail; the first is not sent again.
    const again = await world.api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key,
      body: { signals: [{ type: 'phone', value: RAW.phone }] },
    });
    expect(again.body.decision).toBe('block');
    await waitFor(() => received.length >= 2, 'the second mail');
    await new Promise((r) => setTimeout(r, 500)); // a few more sweeps: nothing more
    expect(received).toHaveLength(2);

    const { to, mail } = received[0]!;
    expect(to).toEqual([`greffe.${unique}@justice.example.fr`]);
    expect(mail.subject).toBe('Ostracon : une nouvelle tentative à consulter');
    expect(mail.from?.text).toContain('ne-pas-repondre@ostracon.example.fr');
    expect(mail.text).toContain(`${world.config.signIn.publicUrl}/console/#/attempts`);
    const body = `${mail.subject}\n${mail.text}\n${String(mail.html)}`;
    const order = created.body;
    for (const secret of [
      order.id,
      order.courtReference,
      order.court,
      platform,
      check.body.matchId,
      RAW.email,
      RAW.emailNormalizedLocal,
      RAW.phone,
      RAW.phoneE164,
      RAW.givenName,
      RAW.familyName,
      RAW.birthDate,
      RAW.accountId,
      RAW.handle,
    ]) {
      expect([secret, body.includes(secret)]).toEqual([secret, false]);
    }

    const rows = await world.api.dataSource.query(`SELECT transport, attempts FROM mail_outbox ORDER BY queued_at`);
    expect(rows).toEqual([
      { transport: 'smtp', attempts: 1 },
      { transport: 'smtp', attempts: 1 },
    ]);
    const mailed = await world.api.dataSource.query(`SELECT data FROM audit_events WHERE type = 'attempt.mailed' ORDER BY seq`);
    expect(mailed.map((e: { data: { personId: string; transport: string } }) => [e.data.personId, e.data.transport])).toEqual([
      [asking.id, 'smtp'],
      [asking.id, 'smtp'],
    ]);
  });

  it('keeps a mail the SMTP server refuses queued, and sends it once the server takes it', async () => {
    // The server refuses the next mail; the sender marks the failure and retries later.
    const people = world.api.app.get(PeopleService);
    const unique = randomBytes(3).toString('hex');
    const other = await world.api.client('authority');
    const asking = await people.invite({ email: `refus.${unique}@justice.example.fr`, organisation: other.organisation }, 'cli');
    await people.setAttemptMails(asking.id, true, 'cli', new Date(Date.now() - 1000));
    const platform = await world.api.platform('refuse');
    const key = (await world.api.client('platform', platform)).apiKey;
    const email = `refus.${unique}@example.com`;
    const body = { ...orderBody(platform, new Date()), subject: { signals: [{ type: 'email', value: email }] } };
    const created = await world.api.request({
      method: 'POST',
      url: '/v1/orders',
      key: other.apiKey,
      body,
      headers: { 'idempotency-key': `test-${unique}` },
    });
    expect(created.status).toBe(201);
    refuseOnce = `refus.${unique}@justice.example.fr`;
    await waitFor(() => world.api.app.get(ScreeningIndexService).current?.has(created.body.id), 'the order in the index', 10_000);
    const before = received.length;
    await world.api.request({ method: 'POST', url: '/v1/signup-checks', key, body: { signals: [{ type: 'email', value: email }] } });
    const failed = await waitFor(async () => {
      const [row] = await world.api.dataSource.query(`SELECT attempts, last_error, sent_at FROM mail_outbox WHERE person_id = $1`, [
        asking.id,
      ]);
      return row && row.attempts === 1 && row.sent_at === null ? row : null;
    }, 'the refusal recorded');
    expect(failed.last_error).toContain('Mailbox busy');
    expect(failed.last_error).not.toContain(`refus.${unique}@justice.example.fr`);
    expect(received.length).toBe(before);
    await new Promise((r) => setTimeout(r, 500)); // sweeps before the retry is due: nothing sent
    expect(received.length).toBe(before);
    // The retry is due a minute later.
    clock.offsetMs += 2 * 60_000;
    await waitFor(() => received.length === before + 1, 'the mail sent on retry');
    expect(received.at(-1)!.to).toEqual([`refus.${unique}@justice.example.fr`]);
  });
});
