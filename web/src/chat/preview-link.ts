import type { FormatNode } from '../../../sdk/client/index.js';
import type { FormattedText } from './formatted-text';
import { linksIn } from './text-links';

/**
 * The page a message's preview card shows: its first http(s) link, as the text shows it (code is
 * shown as it is, so an address inside code is no link and gets no card); null when it has none.
 */
export function previewLink({ text, tree }: FormattedText): string | null {
  return firstIn(text, tree);
}

function firstIn(text: string, nodes: readonly FormatNode[]): string | null {
  for (const node of nodes) {
    if (node.type === 'text') {
      const link = linksIn(text.slice(node.start, node.end)).find((l) => /^https?:\/\//i.test(l.href));
      if (link) return link.href;
    } else if ('children' in node) {
      const found = firstIn(text, node.children);
      if (found) return found;
    }
  }
  return null;
}
