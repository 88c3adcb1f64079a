/**
 * The poll mini-app (plugins/poll, manifests/poll.json), enabled by its shipped manifest and run
 * in the sandbox: people create polls with a command and vote by tapping the card's buttons over
 * HTTP. Votes must be counted exactly even when taps arrive at the same moment, a vote moves
 * rather than doubles, and a closed poll counts nothing more.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory, repoRoot } from './support/e2e.js';
import { botOf, pluginLogs, pluginStatus, roomWith, runCommand } from './support/plugin-helpers.js';
import { appHealth, waitForApp } from './support/sandbox-helpers.js';

const MANIFEST = join(repoRoot, 'manifests/poll.json');

describe('the poll mini-app', () => {
  let host: TestHost;
  let users: TestUser[];
  let ada: TestUser;
  let bob: TestUser;
  let room: { id: string };
  let bot: string;

  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: [{ path: MANIFEST }] } } });
    expect(await pluginStatus(host, 'poll')).toMatchObject({ status: 'running', error: null, refused: [] });
    await waitForApp(host, 'poll');
    users = await Promise.all(Array.from({ length: 6 }, () => host.createUser()));
    [ada, bob] = users as [TestUser, TestUser];
    room = await roomWith(host, ada, ['poll'], users.slice(1));
    bot = await botOf(host, 'poll');
  });
  afterAll(async () => {
    await host?.stop();
  });

  /** Runs a command; it must be answered (200) with a reply only the caller sees. */
  async function command(user: TestUser, text: string, conversationId = room.id): Promise<string> {
    const res = await runCommand(host, user, conversationId, text);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.plugin).toBe('poll');
    return res.body.reply.text;
  }

  async function tap(user: TestUser, messageId: string, buttonId: string, conversationId = room.id): Promise<string> {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/postbacks`, {
      token: user.token,
      body: { messageId, buttonId },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.plugin).toBe('poll');
    return res.body.reply.text;
  }

  async function cards(conversationId = room.id): Promise<any[]> {
    return (await fullHistory(host.url, ada.token, conversationId)).filter(
      (m) => m.content?.type === 'interactive.card',
    );
  }

  /** Creates a poll and returns its number and the card's message id. */
  async function createPoll(
    text: string,
    conversationId = room.id,
    by = ada,
  ): Promise<{ id: number; messageId: string }> {
    const reply = await command(by, `/poll ${text}`, conversationId);
    const id = Number(/^Poll (\d+) is open\. Close it with \/poll-close \1\.$/.exec(reply)?.[1]);
    expect(id, reply).toBeGreaterThan(0);
    const card = (await cards(conversationId)).find((m) => m.content.body.text.startsWith(`Poll ${id}: `));
    expect(card, `no card for poll ${id}`).toBeDefined();
    return { id, messageId: card.id };
  }

  /** The card as everyone sees it now: its text and the count per option. */
  async function cardOf(
    messageId: string,
    conversationId = room.id,
  ): Promise<{ text: string; counts: Record<string, number>; buttons: any[] }> {
    const card = (await cards(conversationId)).find((m) => m.id === messageId);
    const text: string = card.content.body.text;
    const counts = Object.fromEntries(
      [...text.matchAll(/^• (.+): (\d+) \(\d+%\)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    return { text, counts, buttons: card.content.body.buttons };
  }

  it('posts a card with one button per option, as its bot, and tells the creator its number', async () => {
    const before = (await cards()).length;
    const { id, messageId } = await createPoll('  Where  do we eat?| Pizza |Sushi | Salad ');
    const history = await fullHistory(host.url, ada.token, room.id);
    const card = history.find((m) => m.id === messageId);
    expect(card.senderId).toBe(bot);
    expect(card.content.body.buttons).toEqual([
      { id: `${id}:0`, label: 'Pizza', style: 'primary' },
      { id: `${id}:1`, label: 'Sushi', style: 'primary' },
      { id: `${id}:2`, label: 'Salad', style: 'primary' },
    ]);
    expect(card.content.body.text).toMatch(new RegExp(`^Poll ${id}: Where do we eat\\?\\n`));
    expect((await cardOf(messageId)).counts).toEqual({ Pizza: 0, Sushi: 0, Salad: 0 });
    expect((await cards()).length).toBe(before + 1);
    // Numbers count up per conversation.
    expect((await createPoll('Tea or coffee? | Tea | Coffee')).id).toBe(id + 1);
  });

  it('answers bad input with a clear reply and posts nothing', async () => {
    const before = await fullHistory(host.url, ada.token, room.id);
    const cases: [string, RegExp][] = [
      ['/poll', /^Usage: \/poll <question> \| <option 1> \| <option 2>/],
      ['/poll    ', /^Usage: /],
      ['/poll Lunch?', /at least 2 options; you gave 0/],
      ['/poll Lunch? | Pizza', /at least 2 options; you gave 1/],
      [
        `/poll Lunch? | ${Array.from({ length: 11 }, (_, i) => `o${i}`).join(' | ')}`,
        /at most 10 options; you gave 11/,
      ],
      ['/poll Lunch? | Pizza | | Sushi', /Option 2 is empty/],
      ['/poll Lunch? | Pizza | Sushi |', /Option 3 is empty/],
      ['/poll | Pizza | Sushi', /The question is missing/],
      ['/poll Lunch? | Pizza | pizza', /"pizza" is given twice/],
      [`/poll Lunch? | ${'x'.repeat(81)} | Sushi`, /81 characters long; at most 80/],
      [`/poll ${'q'.repeat(201)} | a | b`, /question is 201 characters long; at most 200/],
      ['/poll-close', /^Usage: \/poll-close <poll number>/],
      ['/poll-close first', /^Usage: \/poll-close/],
      ['/poll-close 0', /^Usage: \/poll-close/],
      ['/poll-close 999', /^There is no poll 999 in this conversation\.$/],
    ];
    for (const [text, expected] of cases) expect(await command(ada, text), text).toMatch(expected);
    // Ten options is the most, and fine.
    await createPoll(`Ten? | ${Array.from({ length: 10 }, (_, i) => `o${i}`).join(' | ')}`);
    expect((await fullHistory(host.url, ada.token, room.id)).length).toBe(before.length + 1);
  });

  it('counts the votes of several people tapping at the same moment exactly, one vote each', async () => {
    const { id, messageId } = await createPoll('Lunch? | Pizza | Sushi | Salad');
    const choices = [0, 0, 1, 2, 0, 1];
    const replies = await Promise.all([
      ...users.map((u, i) => tap(u, messageId, `${id}:${choices[i]}`)),
      // Bob taps his option twice at once: it counts once.
      tap(bob, messageId, `${id}:0`),
    ]);
    const bobs = [replies[1]!, replies[6]!].map((r) => r.split('\n')[0]);
    expect(bobs.sort()).toEqual(['You already voted for "Pizza".', 'You voted for "Pizza".']);
    for (const [i, reply] of replies.slice(0, 6).entries()) {
      if (i !== 1) expect(reply.split('\n')[0]).toBe(`You voted for "${['Pizza', 'Sushi', 'Salad'][choices[i]!]}".`);
      // The reply shows the tally as of that vote: the question, then a line per option.
      expect(reply).toMatch(/\nLunch\?\n• Pizza: \d+ \(\d+%\)\n• Sushi: \d+/);
    }
    const card = await cardOf(messageId);
    expect(card.counts).toEqual({ Pizza: 3, Sushi: 2, Salad: 1 });
    expect(card.text).toContain('• Pizza: 3 (50%)');
    expect(card.text).toContain('\n6 votes\n');
    // The last reply to land sees every vote.
    expect(replies.some((r) => r.includes('\n6 votes'))).toBe(true);
  });

  it('moves a vote to another option, and a repeated tap changes nothing', async () => {
    const { id, messageId } = await createPoll('Colour? | Red | Green | Blue');
    await Promise.all([
      tap(ada, messageId, `${id}:0`),
      tap(bob, messageId, `${id}:1`),
      tap(users[2]!, messageId, `${id}:1`),
    ]);
    const moved = await tap(bob, messageId, `${id}:2`);
    expect(moved).toMatch(
      /^You changed your vote from "Green" to "Blue"\.\nColour\?\n• Red: 1 \(33%\)\n• Green: 1 \(33%\)\n• Blue: 1 \(33%\)\n3 votes$/,
    );
    expect(await tap(bob, messageId, `${id}:2`)).toMatch(/^You already voted for "Blue"\./);
    // Several people change their minds at once.
    await Promise.all([
      tap(ada, messageId, `${id}:2`),
      tap(users[2]!, messageId, `${id}:2`),
      tap(users[3]!, messageId, `${id}:0`),
    ]);
    expect((await cardOf(messageId)).counts).toEqual({ Red: 1, Green: 0, Blue: 3 });
  });

  it('keeps the votes of each poll apart, and of each conversation', async () => {
    const first = await createPoll('First? | A | B');
    const second = await createPoll('Second? | A | B');
    await tap(ada, first.messageId, `${first.id}:0`);
    await tap(ada, second.messageId, `${second.id}:1`);
    expect((await cardOf(first.messageId)).counts).toEqual({ A: 1, B: 0 });
    expect((await cardOf(second.messageId)).counts).toEqual({ A: 0, B: 1 });

    const other = await roomWith(host, bob, ['poll'], [ada]);
    const elsewhere = await createPoll('Elsewhere? | X | Y', other.id, bob);
    expect(elsewhere.id).toBe(1);
    await tap(ada, elsewhere.messageId, '1:1', other.id);
    expect((await cardOf(elsewhere.messageId, other.id)).counts).toEqual({ X: 0, Y: 1 });
    // Poll 1 of the first room is untouched by poll 1 of the other.
    const firstOfRoom = (await cards()).find((m) => m.content.body.text.startsWith('Poll 1: '));
    expect(firstOfRoom.content.body.text).toContain('\n0 votes\n');
  });

  it('lets only the creator close a poll; later taps are told it is closed and not counted', async () => {
    const { id, messageId } = await createPoll('Film? | Comedy | Drama');
    await Promise.all([
      tap(ada, messageId, `${id}:0`),
      tap(bob, messageId, `${id}:1`),
      tap(users[2]!, messageId, `${id}:1`),
    ]);
    expect(await command(bob, `/poll-close ${id}`)).toBe(`Only the person who created poll ${id} can close it.`);
    expect(await tap(users[3]!, messageId, `${id}:0`)).toMatch(/^You voted for "Comedy"/);

    const closed = await command(ada, `/poll-close #${id}`);
    expect(closed).toBe(`Poll ${id} is closed. Final results:\nFilm?\n• Comedy: 2 (50%)\n• Drama: 2 (50%)\n4 votes`);
    const card = await cardOf(messageId);
    expect(card.text).toMatch(new RegExp(`^Poll ${id} \\(closed\\): Film\\?\\n`));
    expect(card.text).toContain('Closed: these are the final results.');
    expect(card.buttons.map((b: any) => b.style)).toEqual(['secondary', 'secondary']);

    expect(await tap(users[4]!, messageId, `${id}:0`)).toMatch(
      new RegExp(`^Poll ${id} is closed; your tap was not counted\\. Final results:\\nFilm\\?\\n• Comedy: 2`),
    );
    expect(await tap(ada, messageId, `${id}:1`)).toMatch(/is closed; your tap was not counted/);
    expect((await cardOf(messageId)).counts).toEqual({ Comedy: 2, Drama: 2 });
    expect(await command(ada, `/poll-close ${id}`)).toMatch(new RegExp(`^Poll ${id} is already closed\\.`));
  });

  it('counts exactly the votes acknowledged before a close that races with them', async () => {
    const { id, messageId } = await createPoll('Race? | Yes | No');
    const [closeReply, ...replies] = await Promise.all([
      command(ada, `/poll-close ${id}`),
      ...users.slice(1).map((u, i) => tap(u, messageId, `${id}:${i % 2}`)),
    ]);
    expect(closeReply).toMatch(new RegExp(`^Poll ${id} is closed\\. Final results:`));
    const counted = replies.filter((r) => r.startsWith('You voted for'));
    const refused = replies.filter((r) => r.startsWith(`Poll ${id} is closed`));
    expect(counted.length + refused.length).toBe(replies.length);
    const card = await cardOf(messageId);
    expect(card.counts.Yes! + card.counts.No!).toBe(counted.length);
    expect(card.text).toMatch(/^Poll \d+ \(closed\)/);
    // What the closer was told is what the card shows.
    expect(closeReply).toContain(`\n${counted.length} vote`);
  });

  it('refuses a button that is not on the card, and a tap by a non-member, before the app sees it', async () => {
    const { messageId } = await createPoll('Sure? | Yes | No');
    const res = await host.http('POST', `/v1/conversations/${room.id}/postbacks`, {
      token: ada.token,
      body: { messageId, buttonId: '999:0' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const outsider = await host.createUser();
    const refused = await host.http('POST', `/v1/conversations/${room.id}/postbacks`, {
      token: outsider.token,
      body: { messageId, buttonId: '1:0' },
    });
    expect(refused.status).toBe(404);
  });

  it('ran every event without a failure in its sandbox', async () => {
    const health = await appHealth(host, 'poll');
    expect(health).toMatchObject({ state: 'running', restarts: 0, failedEvents: 0, lastFailure: null });
    expect(health.events).toBeGreaterThan(40);
  });
});

describe('the poll mini-app without messages.edit', () => {
  let host: TestHost;
  afterAll(async () => {
    await host?.stop();
  });

  it('still counts votes and tells each voter the tally when the operator refused card edits', async () => {
    host = await startTestHost({
      config: { plugins: { enabled: [{ path: MANIFEST, grants: { 'messages.edit': false } }] } },
    });
    expect(await pluginStatus(host, 'poll')).toMatchObject({ status: 'running', refused: ['messages.edit'] });
    const [ada, bob] = [await host.createUser(), await host.createUser()];
    const room = await roomWith(host, ada, ['poll'], [bob]);
    const created = await runCommand(host, ada, room.id, '/poll Tea? | Yes | No');
    expect(created.body.reply.text).toBe('Poll 1 is open. Close it with /poll-close 1.');
    const card = (await fullHistory(host.url, ada.token, room.id)).find((m) => m.content?.type === 'interactive.card');
    const tap = (user: TestUser, buttonId: string) =>
      host.http('POST', `/v1/conversations/${room.id}/postbacks`, {
        token: user.token,
        body: { messageId: card.id, buttonId },
      });
    expect((await tap(ada, '1:0')).body.reply.text).toBe(
      'You voted for "Yes".\nTea?\n• Yes: 1 (100%)\n• No: 0 (0%)\n1 vote',
    );
    expect((await tap(bob, '1:1')).body.reply.text).toBe(
      'You voted for "No".\nTea?\n• Yes: 1 (50%)\n• No: 1 (50%)\n2 votes',
    );
    // The card keeps its first text; the app logged why.
    const now = (await fullHistory(host.url, ada.token, room.id)).find((m) => m.id === card.id);
    expect(now).toMatchObject({ editedAt: null, content: card.content });
    const warnings = (await pluginLogs(host, 'poll')).filter((e) => e.message === 'could not update the poll card');
    expect(warnings.map((w) => w.data.code)).toEqual(['permission_denied', 'permission_denied']);
    expect((await appHealth(host, 'poll')).failedEvents).toBe(0);
  });
});
