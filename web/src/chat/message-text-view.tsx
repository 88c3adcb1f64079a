import type { MessageEntity } from '../../../sdk/protocol/message.js';

/**
 * A text message with its mentions marked: the host's entities say where (UTF-16 offsets into the
 * text), so nothing is guessed from "@" here. Text nodes only; a mention of me stands out.
 */
export function MessageTextView({
  text,
  entities,
  myId,
}: {
  text: string;
  entities: readonly MessageEntity[] | undefined;
  myId: string;
}) {
  const parts = [];
  let at = 0;
  for (const [i, e] of [...(entities ?? [])].sort((a, b) => a.offset - b.offset).entries()) {
    if (e.offset < at || e.offset + e.length > text.length) continue;
    if (e.offset > at) parts.push(text.slice(at, e.offset));
    const me = e.type === 'mention_all' || e.userId === myId;
    parts.push(
      <span key={i} class={me ? 'mention mention-me' : 'mention'}>
        {text.slice(e.offset, e.offset + e.length)}
      </span>,
    );
    at = e.offset + e.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <p class="message-text">{parts}</p>;
}
