import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { importSPKI, jwtVerify } from 'jose';
import { type H2Request, type H2Server, startHttp2Server } from '../../../test/support/http2-server.ts';
import { localCertificate } from '../../../test/support/tls.ts';
import { ChannelError } from './errors.ts';
import { createFcmSender } from './fcm.ts';
import { parseServiceAccount } from './google-service-account.ts';
import type { MobilePushSender } from './mobile-push.ts';

const message = {
  title: 'Sam sent you a love note',
  body: 'Open it',
  data: { noteId: 'n1' },
  priority: 'high',
} as const;

describe('FCM HTTP v1 transport', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let oauth: H2Server;
  let fcm: H2Server;
  let sender: MobilePushSender;
  let tokensIssued = 0;

  const oauthAnswer = async (request: H2Request) => {
    const form = new URLSearchParams(request.body);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256');
    const { payload, protectedHeader } = await jwtVerify(form.get('assertion')!, key, {
      issuer: 'push@o2o-test.iam.gserviceaccount.com',
      audience: `${oauth.origin}/token`,
    });
    assert.equal(protectedHeader.kid, 'key-1');
    assert.equal(payload.scope, 'https://www.googleapis.com/auth/firebase.messaging');
    tokensIssued++;
    return {
      status: 200,
      body: { access_token: `access-${tokensIssued}`, expires_in: 3599, token_type: 'Bearer' },
    };
  };

  const fcmAnswer = (request: H2Request) => {
    if (request.headers.authorization !== `Bearer access-${tokensIssued}`) return { status: 401, body: {} };
    const token = (JSON.parse(request.body) as { message: { token: string } }).message.token;
    if (token === 'gone') {
      return {
        status: 404,
        body: {
          error: {
            code: 404,
            status: 'NOT_FOUND',
            message: 'Requested entity was not found.',
            details: [
              { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
            ],
          },
        },
      };
    }
    if (token === 'flaky') {
      return {
        status: 503,
        headers: { 'retry-after': '7' },
        body: { error: { code: 503, status: 'UNAVAILABLE' } },
      };
    }
    if (token === 'malformed') {
      return {
        status: 400,
        body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'bad payload' } },
      };
    }
    return { status: 200, body: { name: `projects/o2o-test/messages/${token}-1` } };
  };

  before(async () => {
    const certificate = await localCertificate();
    oauth = await startHttp2Server(certificate, oauthAnswer);
    fcm = await startHttp2Server(certificate, fcmAnswer);
    const account = parseServiceAccount(
      JSON.stringify({
        type: 'service_account',
        project_id: 'o2o-test',
        private_key_id: 'key-1',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: 'push@o2o-test.iam.gserviceaccount.com',
        token_uri: `${oauth.origin}/token`,
      }),
    );
    sender = createFcmSender({ account, apiUrl: fcm.origin, ca: certificate.cert });
  });
  after(async () => {
    await sender.close();
    await oauth.close();
    await fcm.close();
  });

  it('authenticates with a service-account token and sends the v1 message shape', async () => {
    const result = await sender.send({ platform: 'android', token: 'device-1' }, message);
    assert.equal(result.providerMessageId, 'projects/o2o-test/messages/device-1-1');
    const request = fcm.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/projects/o2o-test/messages:send');
    assert.deepEqual(JSON.parse(request.body), {
      message: {
        token: 'device-1',
        notification: { title: message.title, body: message.body },
        data: { noteId: 'n1' },
        android: { priority: 'HIGH' },
      },
    });
  });

  it('reuses the access token and the connection across messages', async () => {
    const before = tokensIssued;
    await sender.send({ platform: 'android', token: 'device-2' }, message);
    await sender.send({ platform: 'android', token: 'device-3' }, message);
    assert.equal(tokensIssued, before);
    assert.equal(fcm.connections(), 1);
  });

  it('fetches a new token once when FCM rejects the cached one', async () => {
    tokensIssued++; // the server now expects a token the client does not have yet
    const result = await sender.send({ platform: 'android', token: 'device-4' }, message);
    assert.equal(result.providerMessageId, 'projects/o2o-test/messages/device-4-1');
  });

  it('reports UNREGISTERED as an invalid target', async () => {
    await assert.rejects(
      sender.send({ platform: 'android', token: 'gone' }, message),
      (error: unknown) =>
        error instanceof ChannelError &&
        error.kind === 'invalid-target' &&
        error.providerCode === 'UNREGISTERED',
    );
  });

  it('reports 503 as transient with its Retry-After', async () => {
    await assert.rejects(
      sender.send({ platform: 'android', token: 'flaky' }, message),
      (error: unknown) =>
        error instanceof ChannelError && error.kind === 'transient' && error.retryAfterMs === 7000,
    );
  });

  it('reports INVALID_ARGUMENT as permanent', async () => {
    await assert.rejects(
      sender.send({ platform: 'android', token: 'malformed' }, message),
      (error: unknown) => error instanceof ChannelError && error.kind === 'permanent' && error.status === 400,
    );
  });

  it('rejects a service account without its key fields', () => {
    assert.throws(() => parseServiceAccount('{"project_id":"x"}'), /client_email/);
    assert.throws(() => parseServiceAccount('not json'), /not valid JSON/);
  });
});
