import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError } from './webhooks';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

function signed(body: string, signer: string, at = new Date()) {
  const id = `msg_${randomBytes(6).toString('hex')}`;
  const signature = new Webhook(signer).sign(id, at, body);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

describe('verifyWebhook (Standard Webhooks)', () => {
  const body = JSON.stringify({ id: 'd1', type: 'suspend', orderId: 'o1', accounts: [{ accountId: 'a1' }] });

  it('returns the directive signed with the secret, or with either secret during a rotation', () => {
    const [current, previous] = [secret(), secret()];
    expect(verifyWebhook(body, signed(body, current), current)).toMatchObject({ id: 'd1', type: 'suspend' });
    expect(verifyWebhook(Buffer.from(body), signed(body, previous), [current, previous])).toMatchObject({ id: 'd1' });
    // The service signs with both during the overlap: one header, two signatures.
    const both = signed(body, current);
    both['webhook-signature'] =
      `${new Webhook(previous).sign(both['webhook-id'], new Date(Number(both['webhook-timestamp']) * 1000), body)} ${both['webhook-signature']}`;
    expect(verifyWebhook(body, both, [previous])).toMatchObject({ id: 'd1' });
  });

  it('refuses another secret, a changed body, an old timestamp, missing headers and no secret', () => {
    const s = secret();
    expect(() => verifyWebhook(body, signed(body, secret()), s)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(body.replace('suspend', 'lift'), signed(body, s), s)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(body, signed(body, s, new Date(Date.now() - 10 * 60_000)), s)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(body, {}, s)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(body, signed(body, s), [])).toThrow(WebhookVerificationError);
  });
});
