import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createMailTransport, textEncodingFor } from './mail.ts';

describe('mail transport', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-mail-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes an .eml file per message without SMTP_URL', async () => {
    const outboxDir = path.join(dir, 'outbox');
    const transport = createMailTransport({ smtpUrl: undefined, from: 'App <app@example.test>', outboxDir });
    await transport.send({ to: 'ana@example.test', subject: 'Hello', text: 'A body line' });
    const files = await readdir(outboxDir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /\.eml$/);
    const eml = await readFile(path.join(outboxDir, files[0]!), 'utf8');
    assert.match(eml, /^From: App <app@example\.test>$/m);
    assert.match(eml, /^To: ana@example\.test$/m);
    assert.match(eml, /^Subject: Hello$/m);
    assert.match(eml, /A body line/);
    // One id per message, on the sender's domain.
    assert.match(eml, /^Message-ID: <[0-9a-f-]{36}@example\.test>$/m);
    // The directory is made again if it goes away between two mails.
    await rm(outboxDir, { recursive: true });
    await transport.send({ to: 'ana@example.test', subject: 'Again', text: 'Another line' });
    assert.equal((await readdir(outboxDir)).length, 1);
    transport.close();
  });

  it('encodes mostly Latin text as quoted-printable and other scripts as base64, as nodemailer would', async () => {
    assert.equal(textEncodingFor('Thinking of you 💖 — see you tonight'), 'quoted-printable');
    assert.equal(textEncodingFor('今夜会いたいです 💖 Ana'), 'base64');
    assert.equal(textEncodingFor(''), 'base64');
    const html = (text: string) =>
      `<!doctype html><html><body><p>${text}</p>${'<br>'.repeat(40)}</body></html>`;
    const sent = async (name: string, text: string) => {
      const outboxDir = path.join(dir, name);
      const transport = createMailTransport({ smtpUrl: undefined, from: 'app@example.test', outboxDir });
      await transport.send({ to: 'ana@example.test', subject: text, text, html: html(text) });
      transport.close();
      const [file] = await readdir(outboxDir);
      return readFile(path.join(outboxDir, file!), 'utf8');
    };
    const latin = await sent('latin', 'Thinking of you 💖 — see you tonight');
    const japanese = await sent('japanese', '今夜会いたいです、あなたのことを考えています');
    // Both parts (the HTML's lines are longer than 76 characters) take the text's encoding.
    assert.equal(latin.match(/^Content-Transfer-Encoding: quoted-printable$/gm)?.length, 2, latin);
    assert.match(latin, /^Subject: =\?UTF-8\?Q\?/m);
    assert.equal(japanese.match(/^Content-Transfer-Encoding: base64$/gm)?.length, 2, japanese);
    assert.match(japanese, /^Subject: =\?UTF-8\?B\?/m);
    const messageId = (eml: string) => /^Message-ID: (.+)$/m.exec(eml)?.[1];
    assert.notEqual(messageId(latin), messageId(japanese));
  });

  it('sends through a real SMTP server when SMTP_URL is set', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    const transport = createMailTransport({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'app@example.test',
      outboxDir: path.join(dir, 'unused'),
    });
    try {
      await transport.send({ to: 'bo@example.test', subject: 'Over SMTP', text: 'Delivered' });
      assert.equal(received.length, 1);
      assert.match(received[0]!, /^Subject: Over SMTP/m);
      assert.match(received[0]!, /Delivered/);
      assert.equal(transport.kind, 'smtp');
    } finally {
      transport.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
