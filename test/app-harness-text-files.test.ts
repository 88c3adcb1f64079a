/**
 * An app that writes and reads UTF-8 text files with the SDK's base64 and UTF-8 helpers, made as
 * an author makes it: `switchboard new`, its source importing '@switchboard/sdk', `switchboard
 * build`, then run through the app harness in the real sandbox, whose isolate has no Buffer,
 * atob, btoa, TextEncoder or TextDecoder of its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommand } from '../sdk/cli/main.js';
import { startAppHarness, type AppHarness } from '../sdk/testing/app-harness.js';
import { capture, cliWorkspace, writeManifest } from './support/cli-workspace.js';
import { repoRoot } from './support/e2e.js';
import { appManifest } from './support/sandbox-helpers.js';

const ws = cliWorkspace();

describe('an app built with the SDK’s base64 and UTF-8 helpers', () => {
  let h: AppHarness;
  let bundle = '';
  beforeAll(async () => {
    const dir = await ws.newApp('texter');
    // The fixture imports the SDK by a relative path so that this repository type-checks it; the
    // author's copy imports it by its package name.
    const source = readFileSync(join(repoRoot, 'test/fixtures/apps/texter/index.ts'), 'utf8').replaceAll(
      "'../../../../sdk/index.js'",
      "'@switchboard/sdk'",
    );
    expect(source).not.toContain('../sdk/');
    writeFileSync(join(dir, 'src/index.ts'), source);
    writeManifest(
      dir,
      appManifest('texter', {
        entry: './dist/app.js',
        permissions: { commands: {}, 'messages.send': {}, 'attachments.read': {}, 'attachments.write': {} },
        // Room for a loaded machine: the test is about what the helpers give, not how fast.
        limits: { cpuMsPerEvent: 1000, eventTimeoutMs: 30_000 },
      }),
    );
    const io = capture();
    expect(await buildCommand(dir, {}, io), io.text()).toBe(0);
    bundle = readFileSync(join(dir, 'dist/app.js'), 'utf8');
    h = await startAppHarness({ manifest: join(dir, 'manifest.json') });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('builds into a bundle that carries the helpers themselves', () => {
    expect(bundle).toMatch(/function encodeBase64\(/);
    expect(bundle).toMatch(/function decodeUtf8\(/);
    expect(bundle).not.toMatch(/\b(Buffer|atob|btoa|TextEncoder|TextDecoder)\b/);
  });

  it('uploads text the app encoded, and reads what people upload as TextDecoder would', async () => {
    const alice = await h.createUser('alice');
    const room = await h.createGroup(alice, 'Notes');

    const text = 'Grüße, 世界! 😀 𝄞 naïve café';
    const note = JSON.parse((await h.command(alice, room.id, `/run note ${text}`)).text);
    expect(note).toMatchObject({ name: 'notes.txt', mimeType: 'text/plain', size: Buffer.byteLength(text) });
    expect(Buffer.from(await h.download(alice, note.id)).equals(Buffer.from(text))).toBe(true);

    // Alice's file: a byte order mark (dropped), astral characters, a character cut short (U+FFFD).
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('żółw 🐢 '),
      Buffer.from([0xf0, 0x9f, 0x90]),
      Buffer.from(' end'),
    ]);
    const file = await h.upload(alice, 'turtle.txt', bytes);
    await h.send(alice, room.id, '', { attachmentIds: [file.id] });
    const read = JSON.parse((await h.command(alice, room.id, `/run read ${file.id}`)).text);
    expect(read).toEqual({ text: 'żółw 🐢 \ufffd end' });
    expect(read.text).toBe(new TextDecoder().decode(bytes));
  });

  it('turns 300 KB of text into a string and back in the isolate, byte for byte', async () => {
    const alice = await h.createUser();
    const room = await h.createGroup(alice);
    const big = Buffer.from('Ünïcödé 😀 テキスト\n'.repeat(10_000));
    const file = await h.upload(alice, 'big.txt', big);
    await h.send(alice, room.id, '', { attachmentIds: [file.id] });
    const copy = JSON.parse((await h.command(alice, room.id, `/run copy ${file.id}`)).text);
    expect(copy).toMatchObject({ length: big.toString('utf8').length, attachment: { size: big.length } });
    expect(Buffer.from(await h.download(alice, copy.attachment.id)).equals(big)).toBe(true);
  });
});
