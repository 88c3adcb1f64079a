/**
 * Search finds messages by their words: in one conversation or across the caller's, newest first,
 * whatever the case and diacritics, the last word as a prefix; edits and deletes count at once;
 * snippets point at the matched words; the client library calls the same route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApi } from '../sdk/client/index.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { messagingHostOptions, op, send } from './support/messaging-helpers.js';
import { foundIds, pastMillisecondOf, postText, searchAs, uniqueWord } from './support/search-helpers.js';

describe('search: finding messages', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost(messagingHostOptions);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('finds a word in one conversation or across all of the caller’s, newest first', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const group = await host.createGroup(a, [c]);
    const word = uniqueWord();
    const first = await postText(host, a, direct.id, `the ${word} is here`);
    await pastMillisecondOf(first);
    const second = await postText(host, c, group.id, `another ${word}, in the group`);
    await pastMillisecondOf(second);
    const third = await postText(host, b, direct.id, `${word} again`);
    await postText(host, a, direct.id, 'nothing to see');

    expect(await foundIds(host, a, { q: word })).toEqual([third.id, second.id, first.id]);
    expect(await foundIds(host, a, { q: word, conversationId: direct.id })).toEqual([third.id, first.id]);
    expect(await foundIds(host, a, { q: word, conversationId: group.id })).toEqual([second.id]);
    // b is only in the direct conversation.
    expect(await foundIds(host, b, { q: word })).toEqual([third.id, first.id]);

    const res = await searchAs(host, a, { q: word, conversationId: group.id });
    expect(res.body.results[0]!.message).toMatchObject({
      id: second.id,
      conversationId: group.id,
      senderId: c.id,
      content: { type: 'text', text: `another ${word}, in the group` },
    });
    expect(res.body.nextCursor).toBeNull();
  });

  it('needs every word, in any order, and matches the last one as a prefix until a space ends it', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const both = await postText(host, a, conv.id, `alpha ${word}xyz beta`);
    await postText(host, a, conv.id, `alpha only ${uniqueWord()}`);

    expect(await foundIds(host, a, { q: `beta alpha ${word}xyz` })).toEqual([both.id]);
    expect(await foundIds(host, a, { q: `alpha ${word}` })).toEqual([both.id]);
    expect(await foundIds(host, a, { q: `alpha ${word} ` })).toEqual([]);
    expect(await foundIds(host, a, { q: `${word}xyz gamma` })).toEqual([]);
  });

  it('matches a last word of one or two letters whole: too short to start a search as you type', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const longer = await postText(host, a, conv.id, `${word} qzm qzmxyz`);
    const exact = await postText(host, a, conv.id, `${word} qz`);

    expect(await foundIds(host, a, { q: `${word} qz` })).toEqual([exact.id]);
    expect(await foundIds(host, a, { q: `${word} qzm` })).toEqual([longer.id]);
    expect(await foundIds(host, a, { q: `${word} qzmx` })).toEqual([longer.id]);
  });

  it('ignores case and diacritics, both in the text and in the query', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const tag = uniqueWord();
    const accented = await postText(host, a, conv.id, `Crème brûlée à l’ÉCOLE ${tag}`);
    const plain = await postText(host, b, conv.id, `creme BRULEE a l ecole ${tag}`);

    for (const q of ['creme brulee', 'CRÈME BRÛLÉE', 'école', 'Ecole', 'ÉCOLE crème']) {
      expect(await foundIds(host, a, { q: `${q} ${tag}` }), q).toEqual([plain.id, accented.id]);
    }
    // Words are cut at punctuation the same way on both databases.
    const mail = await postText(host, a, conv.id, `write to ${tag}@example.com or https://${tag}.example.org/a_b`);
    expect(await foundIds(host, a, { q: `${tag} example com` })).toEqual([mail.id]);
    expect(await foundIds(host, a, { q: `${tag} org b` })).toEqual([mail.id]);
  });

  it('points the snippet’s highlights at the matched words, in UTF-16 units, without markup', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const text = `😀 <b>Ça</b> ${word} va? ${word.toUpperCase()} et Éclair`;
    await postText(host, a, conv.id, text);
    const res = await searchAs(host, a, { q: `${word} ecla` });
    const { snippet } = res.body.results[0]!;
    expect(snippet.text).toBe(text);
    expect(snippet.highlights.map((h) => snippet.text.slice(h.offset, h.offset + h.length))).toEqual([
      word,
      word.toUpperCase(),
      'Éclair',
    ]);
    // The emoji is two UTF-16 units: offsets count them as JavaScript strings do.
    expect(snippet.highlights[0]!.offset).toBe(text.indexOf(word));

    // A long text is cut around the first match, between words, with ellipses where it was cut.
    const long = `${'lorem ipsum '.repeat(40)}the ${word} ${'dolor sit '.repeat(40)}`;
    await postText(host, b, conv.id, long);
    const [hit] = (await searchAs(host, a, { q: `${word} dolor`, limit: 1 })).body.results;
    expect(hit!.snippet.text.startsWith('…')).toBe(true);
    expect(hit!.snippet.text.endsWith('…')).toBe(true);
    expect(hit!.snippet.text.length).toBeLessThanOrEqual(host.config.search.snippetLength + 2);
    const marked = hit!.snippet.highlights.map((h) => hit!.snippet.text.slice(h.offset, h.offset + h.length));
    expect(marked[0]).toBe(word);
    expect(marked.length).toBeGreaterThan(1);
    expect(new Set(marked.slice(1))).toEqual(new Set(['dolor']));
  });

  it('reflects an edit at once: the old words no longer find it, the new ones do', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const ca = await online(host, a);
    const before = uniqueWord('old');
    const after = uniqueWord('new');
    const { message } = await ca.sendText(conv.id, `draft ${before}`);
    expect(await foundIds(host, a, { q: before })).toEqual([message.id]);

    await op(ca, 'edit', conv.id, message.id, { content: { type: 'text', text: `final ${after}` } });
    expect(await foundIds(host, a, { q: before })).toEqual([]);
    expect(await foundIds(host, a, { q: after })).toEqual([message.id]);
    const [hit] = (await searchAs(host, b, { q: after })).body.results;
    expect(hit!.message.content).toEqual({ type: 'text', text: `final ${after}` });
    expect(hit!.message.editedAt).not.toBeNull();
  });

  it('never finds a deleted message again, and a reaction changes nothing found', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
    const word = uniqueWord();
    const { message: kept } = await ca.sendText(conv.id, `keep ${word}`);
    const { message: gone } = await cb.sendText(conv.id, `remove ${word}`);
    await op(ca, 'react', conv.id, kept.id, { emoji: '👍', op: 'add' });
    const [hit] = (await searchAs(host, a, { q: `keep ${word}` })).body.results;
    expect(hit!.message.reactions).toEqual([{ emoji: '👍', userIds: [a.id] }]);

    await op(cb, 'delete', conv.id, gone.id);
    for (const q of [word, `remove ${word}`, 'remove', `${word.slice(0, 6)}`]) {
      for (const user of [a, b]) expect(await foundIds(host, user, { q }), q).not.toContain(gone.id);
    }
    expect(await foundIds(host, a, { q: word })).toEqual([kept.id]);
  });

  it('searches only the text of text messages, not structured bodies', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const ca = await online(host, a);
    const word = uniqueWord();
    await send(ca, conv.id, { type: 'test.card', body: { title: `card ${word}` } });
    const text = await postText(host, a, conv.id, `text ${word}`);
    expect(await foundIds(host, a, { q: word })).toEqual([text.id]);
  });

  it('is what HttpApi.search calls in the client library', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const older = await postText(host, a, conv.id, `one ${word}`);
    const newer = await postText(host, b, conv.id, `two ${word}`);
    const api = new HttpApi({ baseUrl: host.url, token: a.token });
    const page = await api.search(word, { conversationId: conv.id, limit: 1 });
    expect(page.results.map((r) => r.message.id)).toEqual([newer.id]);
    expect(page.results[0]!.snippet).toEqual({ text: `two ${word}`, highlights: [{ offset: 4, length: word.length }] });
    const rest = await api.search(word, { conversationId: conv.id, limit: 1, cursor: page.nextCursor! });
    expect(rest.results.map((r) => r.message.id)).toEqual([older.id]);
    expect(rest.nextCursor).toBeNull();
    await expect(api.search(' ')).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
  });
});
