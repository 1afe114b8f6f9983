import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createEmailSender, EmailSendError } from '../src/connectors/email/email-sender.ts';
import { createOutboxSender } from '../src/connectors/email/outbox.ts';
import { createSmtpSender, parseSmtpUrl } from '../src/connectors/email/smtp.ts';
import { defaultTenantId } from '../src/db/schema.ts';
import {
  type ApiClient,
  assertApiError,
  assertStatus,
  type Loose,
  managementClient,
} from './support/api-client.ts';
import { testBackends } from './support/db.ts';
import { freePort } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { type SmtpTestServer, startSmtpServer } from './support/smtp.ts';

describe('SMTP URLs (smtp:// and smtps://)', () => {
  it('reads host, port, credentials and sender; STARTTLS on 587 by default, TLS on 465 for smtps', () => {
    assert.deepEqual(parseSmtpUrl('smtp://mailer:s%40cret%3Aword@mail.example.com'), {
      host: 'mail.example.com',
      port: 587,
      secure: false,
      auth: { user: 'mailer', pass: 's@cret:word' },
      from: 'no-reply@mail.example.com',
    });
    assert.deepEqual(parseSmtpUrl('smtps://apikey%40example.com:pw@smtp.example.com'), {
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      auth: { user: 'apikey@example.com', pass: 'pw' },
      from: 'apikey@example.com',
    });
    assert.deepEqual(parseSmtpUrl('smtp://127.0.0.1:2525?from=Gatehouse%20%3Cid%40example.com%3E'), {
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      from: 'Gatehouse <id@example.com>',
    });
    assert.equal(parseSmtpUrl('smtp://[::1]:25').host, '::1');
  });

  for (const bad of ['', 'mail.example.com', 'http://mail.example.com', 'smtp://', 'file:///etc/passwd']) {
    it(`refuses ${JSON.stringify(bad)} with a message that says what is expected`, () => {
      assert.throws(() => parseSmtpUrl(bad), /must look like smtp:\/\/user:password@host:587/);
    });
  }

  it('never repeats the password in its error messages', () => {
    assert.throws(
      () => parseSmtpUrl('https://user:hunter2-secret@mail.example.com'),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });
});

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`), as nodemailer writes non-ASCII headers. */
const decodeHeader = (value: string) =>
  value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (_whole, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    );
const headerOf = (raw: string, name: string) => {
  const match = new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(raw);
  return match?.[1] ? decodeHeader(match[1].replace(/\r\n[ \t]/g, ' ')) : undefined;
};

describe('SMTP email sender (nodemailer) against a real local SMTP server', () => {
  let smtp: SmtpTestServer;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(() => smtp.close());
  beforeEach(() => {
    smtp.received.length = 0;
  });

  it('delivers a message with subject, text and HTML, authenticated with the URL credentials', async () => {
    const sender = createSmtpSender({ url: `${smtp.url}?from=Gatehouse%20%3Cid%40example.com%3E` });
    await sender.send({
      to: 'ann@example.com',
      subject: 'Your sign-in code',
      text: 'Use this code to sign in:\n\n012345\n',
      html: '<p>012345</p>',
    });
    assert.equal(smtp.received.length, 1);
    const [mail] = smtp.received;
    assert.ok(mail);
    assert.equal(mail.user, 'mailer');
    assert.equal(mail.from, 'id@example.com');
    assert.deepEqual(mail.to, ['ann@example.com']);
    assert.equal(headerOf(mail.raw, 'Subject'), 'Your sign-in code');
    assert.equal(headerOf(mail.raw, 'From'), 'Gatehouse <id@example.com>');
    assert.match(mail.raw, /multipart\/alternative/);
    assert.match(mail.raw, /012345/);
    assert.match(mail.raw, /<p>012345<\/p>/);
  });

  it('keeps Thai subjects intact (UTF-8 headers)', async () => {
    await createSmtpSender({ url: smtp.url }).send({
      to: 'somchai@example.com',
      subject: 'รหัสสำหรับเข้าสู่ระบบของคุณ',
      text: 'รหัสของคุณ 123456',
    });
    const [mail] = smtp.received;
    assert.equal(headerOf(mail?.raw ?? '', 'Subject'), 'รหัสสำหรับเข้าสู่ระบบของคุณ');
  });

  it('uses the `from` option over the URL', async () => {
    await createSmtpSender({ url: `${smtp.url}?from=a%40example.com`, from: 'b@example.com' }).send({
      to: 'x@example.com',
      subject: 's',
      text: 't',
    });
    assert.equal(smtp.received[0]?.from, 'b@example.com');
  });

  it('fails with EmailSendError when the server refuses the credentials', async () => {
    const sender = createSmtpSender({ url: `smtp://mailer:wrong@127.0.0.1:${smtp.port}` });
    await assert.rejects(
      sender.send({ to: 'ann@example.com', subject: 's', text: 't' }),
      (error: Error) => error instanceof EmailSendError && !error.message.includes('wrong'),
    );
    assert.equal(smtp.received.length, 0);
  });

  it('fails with EmailSendError when nothing listens', async () => {
    const port = await freePort();
    await assert.rejects(
      createSmtpSender({ url: `smtp://127.0.0.1:${port}` }).send({
        to: 'a@example.com',
        subject: 's',
        text: 't',
      }),
      EmailSendError,
    );
  });

  it('gives up after the timeout when the server never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      await assert.rejects(
        createSmtpSender({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 300 }).send({
          to: 'a@example.com',
          subject: 's',
          text: 't',
        }),
        EmailSendError,
      );
      assert.ok(Date.now() - started < 3_000, 'well within a few seconds');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('createEmailSender picks SMTP when a URL is given', async () => {
    const sender = createEmailSender({
      smtpUrl: smtp.url,
      db: undefined as never,
      tenantId: defaultTenantId,
    });
    await sender.send({ to: 'picked@example.com', subject: 's', text: 't' });
    assert.deepEqual(smtp.received[0]?.to, ['picked@example.com']);
  });
});

for (const backend of testBackends()) {
  describe(`development outbox (GET/DELETE /api/outbox) on ${backend.name}`, () => {
    let t: TestServer;
    let api: ApiClient;
    before(async () => {
      t = await startTestServer({ db: await backend.create() });
      api = await managementClient(t);
    });
    after(() => t.stop());
    beforeEach(async () => {
      assertStatus(await api.del('/api/outbox'), 204);
    });
    const sender = () => createEmailSender({ db: t.registry.db.kysely, tenantId: defaultTenantId });

    it('createEmailSender without a URL keeps each message in the outbox, newest first', async () => {
      await sender().send({ to: 'ann@example.com', subject: 'first', text: 'one' });
      await sender().send({ to: 'bob@example.com', subject: 'second', text: 'two', html: '<b>two</b>' });
      const response = await api.get('/api/outbox');
      assertStatus(response, 200);
      assert.equal(response.headers.get('total-number'), '2');
      assert.deepEqual(
        response.body.map((message: Loose) => message.subject),
        ['second', 'first'],
      );
      const [newest] = response.body;
      assert.match(newest.id, /^[\w-]{21}$/);
      assert.equal(typeof newest.createdAt, 'number');
      assert.deepEqual(
        { to: newest.to, subject: newest.subject, text: newest.text, html: newest.html },
        { to: 'bob@example.com', subject: 'second', text: 'two', html: '<b>two</b>' },
      );
      assert.equal(response.body[1].html, null);
    });

    it('filters by recipient without regard to case, and pages', async () => {
      for (let i = 0; i < 5; i++)
        await sender().send({ to: 'pat@example.com', subject: `m${i}`, text: String(i) });
      await sender().send({ to: 'other@example.com', subject: 'x', text: 'x' });
      const page = await api.get('/api/outbox?to=PAT@example.com&page=2&page_size=2');
      assertStatus(page, 200);
      assert.equal(page.headers.get('total-number'), '5');
      assert.deepEqual(
        page.body.map((message: Loose) => message.subject),
        ['m2', 'm1'],
      );
      assert.deepEqual((await api.get('/api/outbox?to=nobody@example.com')).body, []);
    });

    it('DELETE empties the outbox, or only the messages to `to`', async () => {
      await sender().send({ to: 'keep@example.com', subject: 'k', text: 'k' });
      await sender().send({ to: 'drop@example.com', subject: 'd', text: 'd' });
      assertStatus(await api.del('/api/outbox?to=DROP@example.com'), 204);
      assert.deepEqual(
        (await api.get('/api/outbox')).body.map((message: Loose) => message.to),
        ['keep@example.com'],
      );
      assertStatus(await api.del('/api/outbox'), 204);
      assert.equal((await api.get('/api/outbox')).headers.get('total-number'), '0');
    });

    it('forgets messages older than a day at the next send', async () => {
      await createOutboxSender({ db: t.registry.db.kysely, tenantId: defaultTenantId }).send({
        to: 'old@example.com',
        subject: 'old',
        text: 'old',
      });
      await sql`update outbox_messages set created_at = now() - interval '25 hours'`.execute(
        t.registry.db.kysely,
      );
      await sender().send({ to: 'new@example.com', subject: 'new', text: 'new' });
      assert.deepEqual(
        (await api.get('/api/outbox')).body.map((message: Loose) => message.to),
        ['new@example.com'],
      );
    });

    for (const query of [
      'page=0',
      'page_size=101',
      'page=abc',
      'to=',
      `to=${'a'.repeat(321)}`,
      'to=a@b.c&to=d@e.f',
    ]) {
      it(`refuses ?${query.slice(0, 40)} with 400 request.invalid_query`, async () => {
        assertApiError(await api.get(`/api/outbox?${query}`), 400, 'request.invalid_query');
      });
    }

    it('refuses ?to= twice on DELETE and deletes nothing', async () => {
      await sender().send({ to: 'a@b.co', subject: 's', text: 't' });
      assertApiError(await api.del('/api/outbox?to=a@b.co&to=c@d.co'), 400, 'request.invalid_query');
      assert.equal((await api.get('/api/outbox')).body.length, 1);
    });

    it('is guarded like every Management API route: 401 without a valid token', async () => {
      await sender().send({ to: 'secret@example.com', subject: 'code', text: '123456' });
      for (const method of ['GET', 'DELETE']) {
        for (const headers of [
          {},
          { authorization: 'Bearer forged' },
          { authorization: 'Basic abc' },
        ] as Array<Record<string, string>>) {
          const response = await fetch(`${t.url}/api/outbox`, { method, headers });
          assert.equal(response.status, 401);
          const body = (await response.json()) as Loose;
          assert.equal(body.code, 'auth.invalid_token');
        }
      }
      assert.equal((await api.get('/api/outbox')).body.length, 1, 'nothing deleted');
    });

    it('answers 405 to POST', async () => {
      assertApiError(await api.post('/api/outbox', {}), 405, 'request.method_not_allowed');
    });
  });
}
