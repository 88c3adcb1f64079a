/**
 * The client library and attachments: HttpApi uploads and reads them; SwitchboardClient sends
 * them through the outbox, which keeps them, so the send it makes after a reconnect is the same.
 */
import { describe, expect, it } from 'vitest';
import { HttpApi } from '../sdk/client/index.js';
import { libraryClient, libraryTestHost } from './support/client-library.js';
import { binaryBytes } from './support/attachment-helpers.js';
import { plainPng } from './support/image-fixtures.js';

describe('client library: attachments', () => {
  const host = libraryTestHost();

  it('uploads a Blob, reads it back and fetches its file URL', async () => {
    const [alice] = await Promise.all([host.createUser()]);
    const api = new HttpApi({ baseUrl: host.url, token: alice.token });
    const png = await plainPng(20, 10);
    const up = await api.uploadAttachment(new Blob([png], { type: 'image/png' }), 'dot.png');
    expect(up).toMatchObject({ name: 'dot.png', mimeType: 'image/png', width: 20, height: 10, hasThumbnail: true });
    const again = await api.attachment(up.id);
    expect(again.id).toBe(up.id);
    const file = await fetch(api.fileUrl(again.url));
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    // A Blob that claims another type is refused by the host's check.
    const refused = await api
      .uploadAttachment(new Blob([png], { type: 'image/jpeg' }), 'x.jpg')
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'attachment_type_mismatch', status: 415 });
  });

  it('sends attachments from the outbox, and a resend of that frame is a duplicate', async () => {
    const [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(alice, bob);
    const api = new HttpApi({ baseUrl: host.url, token: alice.token });
    const up = await api.uploadAttachment(new Uint8Array(binaryBytes(300)), 'data.bin');
    // Queued while not connected: the outbox holds the ids with the message.
    const { client, wire } = await libraryClient(host, alice, { connect: false });
    const { sent } = client.send(direct.id, '', { attachmentIds: [up.id] });
    expect(client.pending(direct.id)[0]!.attachmentIds).toEqual([up.id]);
    await client.connect();
    const message = await sent;
    expect(message.attachments.map((a) => a.id)).toEqual([up.id]);
    const frame = wire.out.find((f) => f.type === 'send');
    expect(frame).toMatchObject({ attachmentIds: [up.id], content: { type: 'text', text: '' } });
    const raw = await host.connect(alice.token);
    const resent = await raw.request({ ...frame, id: 'again' });
    expect(resent).toMatchObject({ duplicate: true, message: { id: message.id } });
  });
});
