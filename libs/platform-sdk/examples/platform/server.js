#!/usr/bin/env node
'use strict';
/**
 * A small platform, to run and to read: it receives Ostracon's directives on a webhook and
 * suspends or restores its accounts, and it screens every sign-up with a private check, so no
 * sign-up's e-mail or phone number ever leaves it.
 *
 *   OSTRACON_URL=http://127.0.0.1:3000 OSTRACON_API_KEY=... PLATFORM_ID=... \
 *   WEBHOOK_SECRETS=whsec_...[,whsec_old...] PORT=4000 node server.js
 *
 * Routes:
 *   POST /webhooks/ostracon   a directive (Standard Webhooks signed): applied, then acknowledged
 *   POST /signup              { email?, phone?, givenName?, familyName?, birthDate? } → 201 | 202 | 403
 *   GET  /accounts/{id}       { accountId, suspended }
 *   GET  /health              200 once the private set is loaded
 */
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { PrivateScreener, verifyWebhook, WebhookVerificationError } = require('@ostracon/platform-sdk');

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const config = {
  ostraconUrl: env('OSTRACON_URL'),
  apiKey: env('OSTRACON_API_KEY'),
  platform: env('PLATFORM_ID'),
  webhookSecrets: env('WEBHOOK_SECRETS', '').split(',').filter(Boolean),
  // keyId=hex,… : the OPRF keys this platform trusts (from the service's audit log).
  pinnedKeys: process.env.PINNED_KEYS ? Object.fromEntries(process.env.PINNED_KEYS.split(',').map((pair) => pair.split('='))) : undefined,
  host: env('HOST', '127.0.0.1'),
  port: Number(env('PORT', '4000')),
};

/** The platform's own accounts: id → state. A real platform has a database. */
const accounts = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 1_000_000) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The sign-up form's fields as signals (the service's docs/signals.md): the SDK normalizes and hashes them here. */
function signalsOf(form) {
  const signals = [];
  if (typeof form.email === 'string') signals.push({ type: 'email', value: form.email });
  if (typeof form.phone === 'string') signals.push({ type: 'phone', value: form.phone });
  if (typeof form.givenName === 'string' && typeof form.familyName === 'string' && typeof form.birthDate === 'string') {
    signals.push({ type: 'name_dob', value: { givenName: form.givenName, familyName: form.familyName, birthDate: form.birthDate } });
  }
  return signals;
}

async function main() {
  const screener = await PrivateScreener.start({
    baseUrl: config.ostraconUrl,
    apiKey: config.apiKey,
    platform: config.platform,
    pinnedKeys: config.pinnedKeys,
    onError: (error) => console.error(JSON.stringify({ msg: 'private set: retrying', error: String(error) })),
  });

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://platform');
      if (req.method === 'POST' && url.pathname === '/webhooks/ostracon') {
        const raw = await readBody(req);
        let directive;
        try {
          directive = verifyWebhook(raw, req.headers, config.webhookSecrets);
        } catch (error) {
          if (error instanceof WebhookVerificationError) return send(res, 401, { error: 'signature' });
          throw error;
        }
        for (const account of directive.accounts) {
          accounts.set(account.accountId, { accountId: account.accountId, suspended: directive.type === 'suspend' });
        }
        // Answer the webhook first; the acknowledgement says it was enforced.
        send(res, 204, {});
        await screener.client.ackDirective(directive.id, 'enforced').catch((error) => {
          console.error(JSON.stringify({ msg: 'ack failed (the directive stays pending)', id: directive.id, error: String(error) }));
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/signup') {
        const form = JSON.parse((await readBody(req)).toString('utf8') || '{}');
        const result = await screener.checkSignup(signalsOf(form));
        if (result.decision === 'block') return send(res, 403, { decision: 'block', banEndsAt: result.banEndsAt, matchId: result.matchId });
        const accountId = randomUUID();
        accounts.set(accountId, { accountId, suspended: false, review: result.decision === 'review' ? result.matchId : undefined });
        return send(res, result.decision === 'review' ? 202 : 201, { accountId, decision: result.decision });
      }
      const account = /^\/accounts\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && account) {
        const state = accounts.get(decodeURIComponent(account[1]));
        return state ? send(res, 200, state) : send(res, 404, { error: 'no such account' });
      }
      if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { setEntries: screener.size });
      send(res, 404, { error: 'not found' });
    } catch (error) {
      console.error(JSON.stringify({ msg: 'request failed', error: String(error) }));
      if (!res.headersSent) send(res, 500, { error: 'internal' });
    }
  });

  server.listen(config.port, config.host, () => {
    const { port } = server.address();
    console.log(JSON.stringify({ msg: 'platform listening', url: `http://${config.host}:${port}` }));
  });
  const stop = async () => {
    server.close();
    await screener.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(JSON.stringify({ msg: 'cannot start', error: String(error) }));
  process.exit(1);
});
