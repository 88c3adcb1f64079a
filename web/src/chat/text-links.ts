import { find } from 'linkifyjs';

/** A web address or e-mail address in a message's text: where it is, and where it goes. */
export interface TextLink {
  start: number;
  end: number;
  href: string;
}

/**
 * The addresses in `text` a person means as links, as messengers show them: http(s) URLs, bare
 * domains (`www.example.org`, `example.com/path`, given http://) and e-mail addresses (mailto:).
 * linkifyjs finds them: it knows the TLDs and leaves out the punctuation a sentence puts after an
 * address ("see example.com/a, then…"). Any other scheme stays text, so `javascript:` never links.
 */
export function linksIn(text: string): TextLink[] {
  return find(text).flatMap((link) =>
    (link.type === 'url' && /^https?:\/\//i.test(link.href)) || (link.type === 'email' && /^mailto:/i.test(link.href))
      ? [{ start: link.start, end: link.end, href: link.href }]
      : [],
  );
}
