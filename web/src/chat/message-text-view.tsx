import type { ComponentChild } from 'preact';
import { useMemo } from 'preact/hooks';
import type { FormatNode } from '../../../sdk/client/index.js';
import type { MessageEntity } from '../../../sdk/protocol/message.js';
import type { FormattedText } from './formatted-text';
import { linksIn } from './text-links';
import './message-text.css';

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

/** [start, end) of the text with its mentions marked and its addresses as links. */
function plainStretch(text: string, start: number, end: number, mentions: readonly MessageEntity[], myId: string) {
  const parts: ComponentChild[] = [];
  let at = start;
  // Formatting never cuts a mention (the parser keeps entities whole): each is inside or outside.
  for (const e of mentions) {
    if (e.offset < start || e.offset + e.length > end) continue;
    if (e.offset > at) parts.push(...withLinks(text.slice(at, e.offset), `t${at}`));
    const me = e.type === 'mention_all' || e.userId === myId;
    parts.push(
      <span key={`m${e.offset}`} class={me ? 'mention mention-me' : 'mention'}>
        {text.slice(e.offset, e.offset + e.length)}
      </span>,
    );
    at = e.offset + e.length;
  }
  if (at < end) parts.push(...withLinks(text.slice(at, end), `t${at}`));
  return parts;
}

function rendered(text: string, nodes: readonly FormatNode[], mentions: readonly MessageEntity[], myId: string) {
  const parts: ComponentChild[] = [];
  for (const [i, node] of nodes.entries()) {
    const key = `${node.type}${node.start}`;
    if (node.type === 'text') {
      // A code block is a block of its own: the line breaks beside it would show as empty lines.
      const start = node.start + (nodes[i - 1]?.type === 'pre' && text.charAt(node.start) === '\n' ? 1 : 0);
      const end = node.end - (nodes[i + 1]?.type === 'pre' && text.charAt(node.end - 1) === '\n' ? 1 : 0);
      parts.push(...plainStretch(text, start, end, mentions, myId));
    } else if ('children' in node) {
      const Tag = node.type === 'bold' ? 'strong' : node.type === 'italic' ? 'em' : 's';
      parts.push(<Tag key={key}>{rendered(text, node.children, mentions, myId)}</Tag>);
    } else {
      // Code, shown as it is: no mention, link or formatting inside.
      const code = text.slice(node.start, node.end);
      parts.push(
        node.type === 'code' ? (
          <code key={key}>{code}</code>
        ) : (
          <pre key={key}>
            <code>{code}</code>
          </pre>
        ),
      );
    }
  }
  return parts;
}

/**
 * A text message as every client shows it: its formatting (the client library's rules, markers
 * hidden), its mentions marked and its addresses as links. The host's entities say where the
 * mentions are (UTF-16 offsets into the text), so nothing is guessed from "@" here; formatting keeps
 * them whole, and inside code they are plain code. Text nodes only; a mention of me stands out.
 * Parsed by the caller (formatted-text.ts), once for the text and its link preview card.
 */
export function MessageTextView({ formatted, myId }: { formatted: FormattedText; myId: string }) {
  const parts = useMemo(() => rendered(formatted.text, formatted.tree, formatted.mentions, myId), [formatted, myId]);
  // A div, not a p: a code block (pre) may be inside.
  return <div class="message-text">{parts}</div>;
}
