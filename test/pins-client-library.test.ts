/**
 * The client library's pin(), unpin() and pins(): typed calls over the socket; the pin and unpin
 * notices reach the other member's cache as system messages, the cue to read the list again.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { clientRefusal, directPair, libraryTestHost } from './support/client-library.js';

describe('client library: pinned messages', () => {
  const host = libraryTestHost();

  it('pins, lists and unpins; the other member receives the notices', async () => {
    const { a, direct, ca, cb } = await directPair(host);
    const original = await cb.client.send(direct.id, 'keep this').sent;
    const pin = await ca.client.pin(direct.id, original.id);
    expect(pin).toMatchObject({ message: { id: original.id }, pinnedBy: a.id });
    await eventually(() => cb.client.messages(direct.id).some((m) => m.content?.type === 'system.message_pinned'), {
      what: 'the pin notice in the other member’s cache',
    });
    expect(await cb.client.pins(direct.id)).toEqual([pin]);
    await cb.client.unpin(direct.id, original.id);
    expect(await ca.client.pins(direct.id)).toEqual([]);
    await eventually(() => ca.client.messages(direct.id).some((m) => m.content?.type === 'system.message_unpinned'), {
      what: 'the unpin notice',
    });
    const system = ca.client.messages(direct.id).find((m) => m.content?.type === 'system.message_unpinned')!;
    expect((await clientRefusal(ca.client.pin(direct.id, system.id))).code).toBe('invalid_operation');
  });
});
