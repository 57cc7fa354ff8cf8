import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChannelError } from './errors.ts';
import { toE164 } from './phone.ts';
import { createFileSms, createTwilioSms, verifyTwilioSignature } from './sms.ts';

const ACCOUNT = 'AC00000000000000000000000000000001';
const AUTH_TOKEN = 'twilio-test-auth-token';

interface Received {
  path: string;
  authorization: string | undefined;
  form: URLSearchParams;
}

/** Twilio's Messages resource, as far as creating a message goes. */
async function startFakeTwilio() {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      received.push({ path: request.url ?? '', authorization: request.headers.authorization, form });
      const to = form.get('To');
      const reply = (status: number, json: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (to === '+15005550001')
        return reply(400, { code: 21211, message: "The 'To' number is not valid.", status: 400 });
      if (to === '+15005550009')
        return reply(503, { code: 20503, message: 'Service unavailable', status: 503 });
      if (to === '+15005550002')
        return reply(400, { code: 21606, message: 'From is not a valid number', status: 400 });
      reply(201, {
        sid: `SM${String(received.length).padStart(32, '0')}`,
        status: 'queued',
        to,
        body: form.get('Body'),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('SMS through the Twilio SDK', () => {
  let twilioApi: Awaited<ReturnType<typeof startFakeTwilio>>;
  before(async () => {
    twilioApi = await startFakeTwilio();
  });
  after(() => twilioApi.close());

  const transport = () =>
    createTwilioSms({
      accountSid: ACCOUNT,
      authToken: AUTH_TOKEN,
      from: '+15005550006',
      statusCallbackUrl: 'https://api.one2one.love/v1/notifications/webhooks/twilio',
      apiUrl: twilioApi.url,
    });

  it('creates the message with basic auth, sender and status callback', async () => {
    const result = await transport().send({ to: '+14155552671', body: 'Sam sent you a love note' });
    const request = twilioApi.received.at(-1)!;
    assert.equal(request.path, `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    assert.equal(
      request.authorization,
      `Basic ${Buffer.from(`${ACCOUNT}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    assert.equal(request.form.get('To'), '+14155552671');
    assert.equal(request.form.get('From'), '+15005550006');
    assert.equal(request.form.get('Body'), 'Sam sent you a love note');
    assert.equal(
      request.form.get('StatusCallback'),
      'https://api.one2one.love/v1/notifications/webhooks/twilio',
    );
    assert.match(result.providerMessageId ?? '', /^SM\d{32}$/);
  });

  it('sends through a Messaging Service when the sender is an MG sid', async () => {
    const viaService = createTwilioSms({
      accountSid: ACCOUNT,
      authToken: AUTH_TOKEN,
      from: 'MG00000000000000000000000000000001',
      apiUrl: twilioApi.url,
    });
    await viaService.send({ to: '+14155552671', body: 'hi' });
    const form = twilioApi.received.at(-1)!.form;
    assert.equal(form.get('MessagingServiceSid'), 'MG00000000000000000000000000000001');
    assert.equal(form.get('From'), null);
  });

  it('classifies Twilio errors: dead number, outage, our own mistake', async () => {
    const sms = transport();
    await assert.rejects(
      sms.send({ to: '+15005550001', body: 'x' }),
      (e: unknown) => e instanceof ChannelError && e.kind === 'invalid-target' && e.providerCode === '21211',
    );
    await assert.rejects(
      sms.send({ to: '+15005550009', body: 'x' }),
      (e: unknown) => e instanceof ChannelError && e.kind === 'transient' && e.status === 503,
    );
    await assert.rejects(
      sms.send({ to: '+15005550002', body: 'x' }),
      (e: unknown) => e instanceof ChannelError && e.kind === 'permanent',
    );
  });

  it('reports an unreachable Twilio as transient', async () => {
    const offline = createTwilioSms({
      accountSid: ACCOUNT,
      authToken: AUTH_TOKEN,
      from: '+1',
      apiUrl: 'http://127.0.0.1:1',
    });
    await assert.rejects(
      offline.send({ to: '+14155552671', body: 'x' }),
      (e: unknown) => e instanceof ChannelError && e.kind === 'transient',
    );
  });
});

describe('SMS file transport', () => {
  it('appends one JSON line per message under the outbox', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-sms-'));
    try {
      const sms = createFileSms(dir);
      const first = await sms.send({ to: '+14155552671', body: 'one' });
      await sms.send({ to: '+14155552671', body: 'two' });
      const [file] = await readdir(dir);
      assert.match(file ?? '', /^\d{4}-\d{2}-\d{2}\.jsonl$/);
      const lines = (await readFile(path.join(dir, file!), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.channel, l.to, l.body]),
        [
          ['sms', '+14155552671', 'one'],
          ['sms', '+14155552671', 'two'],
        ],
      );
      assert.equal(lines[0].id, first.providerMessageId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('E.164 phone numbers', () => {
  it('normalises valid numbers and rejects impossible ones', () => {
    assert.equal(toE164('+1 (415) 555-2671'), '+14155552671');
    assert.equal(toE164('+44 20 7946 0958'), '+442079460958');
    assert.equal(toE164('0151 12345678', 'DE'), '+4915112345678');
    assert.equal(toE164('0151 12345678'), undefined, 'a national number needs a region');
    assert.equal(toE164('+1234'), undefined);
    assert.equal(toE164('+1 415 555'), undefined);
    assert.equal(toE164('call me'), undefined);
  });
});

describe('Twilio webhook signatures', () => {
  const url = 'https://api.one2one.love/v1/notifications/webhooks/twilio';
  const params = { MessageSid: 'SM1', MessageStatus: 'delivered', To: '+14155552671' };
  // Twilio's documented scheme, computed independently: HMAC-SHA1 over the URL then each sorted key+value.
  const sign = (token: string, forUrl: string, forParams: Record<string, string>) =>
    createHmac('sha1', token)
      .update(
        forUrl +
          Object.keys(forParams)
            .sort()
            .map((k) => k + forParams[k])
            .join(''),
      )
      .digest('base64');

  it('accepts a correctly signed callback', () => {
    assert.equal(verifyTwilioSignature(AUTH_TOKEN, sign(AUTH_TOKEN, url, params), url, params), true);
  });

  it('rejects a missing, forged or tampered signature', () => {
    assert.equal(verifyTwilioSignature(AUTH_TOKEN, undefined, url, params), false);
    assert.equal(verifyTwilioSignature(AUTH_TOKEN, sign('another-token', url, params), url, params), false);
    const signature = sign(AUTH_TOKEN, url, params);
    assert.equal(
      verifyTwilioSignature(AUTH_TOKEN, signature, url, { ...params, MessageStatus: 'failed' }),
      false,
    );
    assert.equal(verifyTwilioSignature(AUTH_TOKEN, signature, `${url}?x=1`, params), false);
  });
});
