import type { ComponentChild } from 'preact';
import type { MessageEntity } from '../../../sdk/protocol/message.js';
import { linksIn } from './text-links';

/** `text` with its web and e-mail addresses as links, opening apart from the web client. */
function withLinks(text: string, key: string): ComponentChild[] {
  const parts: ComponentChild[] = [];
  let at = 0;
  for (const link of linksIn(text)) {
    if (link.start > at) parts.push(text.slice(at, link.start));
    parts.push(
      // noreferrer: the page opened learns nothing of the conversation's address; nofollow, ugc: it is people's text.
      <a key={`${key}-${link.start}`} href={link.href} target="_blank" rel="noopener noreferrer nofollow ugc">
        {text.slice(link.start, link.end)}
      </a>,
    );
    at = link.end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/**
 * A text message with its mentions marked, and its addresses as links: the host's entities say
 * where the mentions are (UTF-16 offsets into the text), so nothing is guessed from "@" here. Text
 * nodes only; a mention of me stands out.
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
  const parts: ComponentChild[] = [];
  let at = 0;
  for (const [i, e] of [...(entities ?? [])].sort((a, b) => a.offset - b.offset).entries()) {
    if (e.offset < at || e.offset + e.length > text.length) continue;
    if (e.offset > at) parts.push(...withLinks(text.slice(at, e.offset), `t${i}`));
    const me = e.type === 'mention_all' || e.userId === myId;
    parts.push(
      <span key={i} class={me ? 'mention mention-me' : 'mention'}>
        {text.slice(e.offset, e.offset + e.length)}
      </span>,
    );
    at = e.offset + e.length;
  }
  if (at < text.length) parts.push(...withLinks(text.slice(at), 'end'));
  return <p class="message-text">{parts}</p>;
}
