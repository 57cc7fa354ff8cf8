import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../config.ts';
import { createChannels } from './index.ts';

describe('channel transports from configuration', () => {
  it('without provider credentials writes pushes and SMS as JSON lines under DATA_DIR/outbox', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-channels-'));
    try {
      const channels = await createChannels(parseConfig({ DATA_DIR: dataDir }));
      assert.equal(channels.sms.kind, 'file');
      assert.equal(channels.mobilePush.kindFor('ios'), 'file');
      assert.equal(channels.mobilePush.kindFor('android'), 'file');
      const message = { title: 'Hi', body: 'There', priority: 'high' } as const;
      await channels.mobilePush.send({ platform: 'ios', token: 'tok-ios' }, message);
      await channels.mobilePush.send({ platform: 'android', token: 'tok-android' }, message);
      await channels.sms.send({ to: '+14155552671', body: 'hello' });

      const lines = async (channel: string) => {
        const dir = path.join(dataDir, 'outbox', channel);
        const [file] = await readdir(dir);
        return (await readFile(path.join(dir, file!), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
      };
      assert.deepEqual(
        (await lines('push')).map((l) => l.to),
        [
          { platform: 'ios', token: 'tok-ios' },
          { platform: 'android', token: 'tok-android' },
        ],
      );
      assert.equal((await lines('sms'))[0].body, 'hello');
      // The VAPID pair was generated and kept for the next start.
      const again = await createChannels(parseConfig({ DATA_DIR: dataDir }));
      assert.equal(again.webPush.vapidPublicKey, channels.webPush.vapidPublicKey);
      await channels.close();
      await again.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a half-configured provider or a bad VAPID subject', () => {
    assert.throws(
      () =>
        parseConfig({ APNS_KEY_ID: 'K', APNS_TEAM_ID: 'T', TWILIO_ACCOUNT_SID: 'AC1', VAPID_SUBJECT: 'me' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('APNS_KEY, APNS_TOPIC must be set too')) &&
        error.problems.some((p) => p.startsWith('TWILIO_AUTH_TOKEN, TWILIO_FROM must be set too')) &&
        error.problems.some((p) => p.startsWith('VAPID_SUBJECT')),
    );
  });
});
