import type { Button } from '../../sdk/index.js';
import { buttonId } from './parse-poll.js';
import { countVotes, type Poll } from './poll-state.js';

/** The body of an "interactive.card": what interactive.send posts and messages.edit replaces. */
export type CardBody = { text: string; buttons: Button[] };

/** One line per option, "Pizza: 2 (67%)", then the number of votes. */
export function tallyText(poll: Poll): string {
  const counts = countVotes(poll);
  const total = counts.reduce((a, b) => a + b, 0);
  const lines = poll.options.map((option, i) => {
    const count = counts[i]!;
    const percent = total === 0 ? 0 : Math.round((count * 100) / total);
    return `• ${option}: ${count} (${percent}%)`;
  });
  return `${lines.join('\n')}\n${total} ${total === 1 ? 'vote' : 'votes'}`;
}

/**
 * The card shows the live tally to everyone. The buttons stay after the close, so that a late
 * tap reaches the app and gets told the poll is closed, rather than a bare "no such button".
 */
export function pollCard(poll: Poll): CardBody {
  const footer = poll.closed
    ? 'Closed: these are the final results.'
    : `Tap an option to vote; tap another to change your vote. The creator closes it with /poll-close ${poll.id}.`;
  return {
    text: `Poll ${poll.id}${poll.closed ? ' (closed)' : ''}: ${poll.question}\n${tallyText(poll)}\n${footer}`,
    buttons: poll.options.map((label, i) => ({
      id: buttonId(poll.id, i),
      label,
      style: poll.closed ? 'secondary' : 'primary',
    })),
  };
}
