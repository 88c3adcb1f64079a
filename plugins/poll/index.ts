/**
 * Group polls, as a sandboxed mini-app. `/poll Lunch? | Pizza | Sushi` posts a card with one
 * button per option; a tap records the tapper's vote (one per person, a second tap moves it),
 * updates the card for everyone and answers the tapper alone with the tally; `/poll-close <n>`
 * by the poll's creator ends it. It shows commands, interactive cards and their postbacks, card
 * edits, and compare-and-set storage under concurrent taps. It imports only the SDK.
 */
import { defineApp, type AppContext } from '../../sdk/index.js';
import { errorCodeOf as errorCode, updateStored as update, whenStorageFull } from '../../sdk/index.js';
import { parseButtonId, parsePoll, parsePollId } from './parse-poll.js';
import { pollCard, tallyText } from './poll-card.js';
import {
  counterKey,
  decideClose,
  decideVote,
  pollKey,
  type CloseOutcome,
  type Poll,
  type VoteOutcome,
} from './poll-state.js';

/** What a user hears when the storage quota is full (for the operator to fix). */
const FULL = 'The poll app has used up its storage, so nothing was recorded. Ask the operator to raise its quota.';

export default defineApp({
  start(ctx) {
    ctx.commands.handle(
      'poll',
      whenStorageFull(FULL, async ({ conversationId, userId, text }) => {
        const parsed = parsePoll(text);
        if (!parsed.ok) return { text: parsed.error };
        const { result: id } = await update<number, number>(ctx.storage, counterKey(conversationId), (current) => {
          const next = (current?.value ?? 0) + 1;
          return { write: next, result: next };
        });
        const key = pollKey(conversationId, id);
        const poll: Poll = { id, ...parsed.value, creatorId: userId, messageId: null, closed: false, votes: {} };
        await ctx.storage.set(key, poll, { ifVersion: 0 });
        let messageId: string;
        try {
          messageId = (await ctx.interactive.send(conversationId, pollCard(poll))).id;
        } catch (err) {
          await ctx.storage.delete(key);
          // sandbox_limit: the app's sends per minute (manifest limits.sendsPerMinute) are used up.
          return {
            text:
              errorCode(err) === 'sandbox_limit'
                ? 'Too many polls at once; try again in a minute.'
                : `The poll could not be posted (${errorCode(err) ?? 'error'}).`,
          };
        }
        // A tap may have recorded the card's id already (decideVote does, from the postback).
        await update<Poll, null>(ctx.storage, key, (current) =>
          current && current.value.messageId === null
            ? { write: { ...current.value, messageId }, result: null }
            : { result: null },
        );
        return { text: `Poll ${id} is open. Close it with /poll-close ${id}.` };
      }),
    );

    ctx.interactive.onPostback(
      whenStorageFull(FULL, async ({ conversationId, messageId, buttonId, userId }) => {
        const target = parseButtonId(buttonId);
        if (!target) return { text: 'This button is not part of a poll.' };
        const key = pollKey(conversationId, target.pollId);
        const vote = await update<Poll, VoteOutcome>(ctx.storage, key, (current) =>
          decideVote(current, messageId, userId, target.option),
        );
        const poll = vote.value;
        const outcome = vote.result;
        if (outcome.kind === 'gone' || !poll) return { text: 'This poll no longer exists.' };
        // The reply shows the newest tally the card was updated to (later votes included).
        const shown = vote.wrote ? await showResults(ctx, conversationId, messageId, key, poll, vote.version) : poll;
        const tally = `${shown.question}\n${tallyText(shown)}`;
        switch (outcome.kind) {
          case 'closed':
            return { text: `Poll ${poll.id} is closed; your tap was not counted. Final results:\n${tally}` };
          case 'unchanged':
            return { text: `You already voted for "${poll.options[outcome.option]}".\n${tally}` };
          case 'moved':
            return {
              text: `You changed your vote from "${poll.options[outcome.from]}" to "${poll.options[outcome.option]}".\n${tally}`,
            };
          case 'voted':
            return { text: `You voted for "${poll.options[outcome.option]}".\n${tally}` };
        }
      }),
    );

    ctx.commands.handle(
      'poll-close',
      whenStorageFull(FULL, async ({ conversationId, userId, args }) => {
        const parsed = parsePollId(args.poll);
        if (!parsed.ok) return { text: parsed.error };
        const id = parsed.value;
        const key = pollKey(conversationId, id);
        const closing = await update<Poll, CloseOutcome>(ctx.storage, key, (current) => decideClose(current, userId));
        const poll = closing.value;
        if (closing.result === 'missing' || !poll) return { text: `There is no poll ${id} in this conversation.` };
        if (closing.result === 'not-creator') return { text: `Only the person who created poll ${id} can close it.` };
        if (closing.result === 'already-closed') return { text: `Poll ${id} is already closed.\n${tallyText(poll)}` };
        if (poll.messageId) await showResults(ctx, conversationId, poll.messageId, key, poll, closing.version);
        // Closed, so nothing changes after this: the final tally is the one just written.
        return { text: `Poll ${id} is closed. Final results:\n${poll.question}\n${tallyText(poll)}` };
      }),
    );
  },
});

/**
 * Edits the card to show `poll` as of `version`. Taps at the same moment each edit the card, and
 * their edits may land out of order, so after its edit each one reads the poll again and, if a
 * newer version exists, edits again with that: whichever edit lands last shows the newest tally.
 * Without messages.edit (the operator may refuse it), voters still get the tally in their reply.
 */
async function showResults(
  ctx: AppContext,
  conversationId: string,
  messageId: string,
  key: string,
  poll: Poll,
  version: number,
): Promise<Poll> {
  for (let round = 0; round < 20; round++) {
    try {
      await ctx.messages.edit(conversationId, messageId, { type: 'interactive.card', body: pollCard(poll) });
    } catch (err) {
      ctx.log.warn('could not update the poll card', { code: errorCode(err), messageId });
      return poll;
    }
    const latest = await ctx.storage.get<Poll>(key);
    if (!latest || latest.version === version) return poll;
    poll = latest.value;
    version = latest.version;
  }
  return poll;
}
