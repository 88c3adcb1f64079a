/**
 * The SDK's app harness, used as an app author would: it starts an in-process host on a
 * temporary SQLite database with one app in the real sandbox, and the test acts as users.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppHarness, HarnessError, type AppHarness } from '../sdk/testing/app-harness.js';
import { writeManifest } from './support/plugin-helpers.js';
import { appManifest } from './support/sandbox-helpers.js';
import { repoRoot } from './support/e2e.js';

describe('app harness', () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ manifest: writeManifest(appManifest('harnessed'), 'harnessed') });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('runs the app in the sandbox and talks to it as users', async () => {
    const alice = await h.createUser('alice');
    const room = await h.createGroup(alice, 'Room');
    expect(JSON.parse((await h.command(alice, room.id, '/run echo hi')).text)).toMatchObject({ arg: 'hi' });
    expect(JSON.parse((await h.command(alice, room.id, '/run store kept')).text)).toEqual({ version: 1 });
    expect(JSON.parse((await h.command(alice, room.id, '/run recall')).text)).toBe('kept');
    const sent = JSON.parse((await h.command(alice, room.id, '/run send')).text);
    const history = await h.history(alice, room.id);
    const reply = history.find((m) => m.id === sent);
    expect(reply?.senderId).toBe(h.app.botUserId);
    // Typed as the protocol's Message: a test reads the text without a cast.
    const text: string | undefined = reply?.content?.text;
    expect(text).toBe('from the app');
    expect(await h.health()).toMatchObject({ id: 'harnessed', state: 'running', restarts: 0 });
  });

  it('reports host errors with their codes', async () => {
    const alice = await h.createUser();
    const room = await h.createGroup(alice);
    const err = await h.command(alice, room.id, '/nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect(err).toMatchObject({ code: 'command_not_found', status: 404 });
    const failed = await h.command(alice, room.id, '/run throws').catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'plugin_failed', status: 502 });
  });

  it('refuses to start an app that does not start, and leaves nothing behind', async () => {
    const harnessDirs = () =>
      readdirSync(tmpdir())
        .filter((d) => d.startsWith('switchboard-harness-'))
        .sort();
    const before = harnessDirs();
    const err = await startAppHarness({
      manifest: writeManifest(appManifest('broken', { settings: { type: 'object' } }), 'broken'),
      settings: { crashAtStart: true },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).message).toMatch(/refusing to start/);
    // Its temporary database directory is gone again (the running harness's own stays).
    expect(harnessDirs()).toEqual(before);
  });
});

describe('app harness and files', () => {
  let h: AppHarness;
  beforeAll(async () => {
    const manifest = appManifest('filer', {
      entry: `${repoRoot}/test/fixtures/apps/filer/index.ts`,
      permissions: { commands: {}, 'messages.send': {}, 'attachments.read': {}, 'attachments.write': {} },
      limits: { cpuMsPerEvent: 1000 },
    });
    h = await startAppHarness({ manifest: writeManifest(manifest, 'filer') });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('uploads and sends files as users, in a thread, and downloads what the app sends', async () => {
    const alice = await h.createUser('alice');
    const room = await h.createGroup(alice, 'Files');
    const root = await h.send(alice, room.id, 'the notes follow');
    const notes = await h.upload(alice, 'notes.txt', 'hello app\n');
    expect(notes).toMatchObject({ name: 'notes.txt', mimeType: 'text/plain', size: 10 });
    const sent = await h.send(alice, room.id, '', { attachmentIds: [notes.id], threadRootId: root.id });
    // The protocol's types: threadRootId a string or null, attachments the Attachments sent.
    const threadRootId: string | null = sent.threadRootId;
    expect(threadRootId).toBe(root.id);
    expect(sent.attachments.map((a) => [a.id, a.mimeType])).toEqual([[notes.id, 'text/plain']]);
    expect(notes.messageId).toBeNull();
    // The app reads what alice sent, as its members do.
    const read = JSON.parse((await h.command(alice, room.id, `/run read ${notes.id}`)).text);
    expect(Buffer.from(read.data, 'base64').toString()).toBe('hello app\n');
    // And alice downloads the file the app sends.
    const mine = JSON.parse((await h.command(alice, room.id, '/run upload from-app.txt ZnJvbSB0aGUgYXBw')).text);
    expect(new TextDecoder().decode(await h.download(alice, mine.attachment.id))).toBe('from the app');
    // A refused upload throws its catalog code.
    const err = await h.upload(alice, 'a.png', 'not a picture', 'image/png').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'attachment_type_mismatch', status: 415 });
  });
});

describe('app harness and an app that answers after the event', () => {
  let h: AppHarness;
  beforeAll(async () => {
    const manifest = appManifest('answerer', {
      entry: `${repoRoot}/test/fixtures/apps/answerer/index.ts`,
      permissions: { events: { events: ['message.created'] }, 'messages.send': {} },
    });
    h = await startAppHarness({ manifest: writeManifest(manifest, 'answerer') });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("waits for the app's reply in a thread, and reads the thread apart from the timeline", async () => {
    const alice = await h.createUser('alice');
    const room = await h.createGroup(alice, 'Questions');
    const question = await h.send(alice, room.id, 'ask the time');
    const reply = await h.waitForMessage(alice, room.id, (m) => m.content?.text === 'answer: the time', {
      threadRootId: question.id,
    });
    expect(reply).toMatchObject({ senderId: h.app.botUserId, threadRootId: question.id });
    expect((await h.history(alice, room.id, { threadRootId: question.id })).map((m) => m.id)).toEqual([reply.id]);
    // Without a thread, history is every message, as the protocol's: the reply names its root.
    const texts = (await h.history(alice, room.id)).filter((m) => m.content?.type === 'text');
    expect(texts.map((m) => [m.content?.text, m.threadRootId])).toEqual([
      ['ask the time', null],
      ['answer: the time', question.id],
    ]);
  });

  it('says what it saw when no message comes', async () => {
    const bob = await h.createUser('bob');
    const room = await h.createGroup(bob, 'Quiet');
    await h.send(bob, room.id, 'no question here');
    const waited = h.waitForMessage(bob, room.id, (m) => m.senderId === h.app.botUserId, { timeoutMs: 300 });
    await expect(waited).rejects.toThrow(
      `waitForMessage: no message of conversation ${room.id} matched within 300 ms; 2 seen, the last: "system.conversation_created", "no question here"`,
    );
  });
});
