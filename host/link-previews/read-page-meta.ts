import { Parser } from 'htmlparser2';

/** What a preview shows of a page, as plain, bounded text; `image` resolved against the page's URL. */
export interface PageMeta {
  readonly title: string | null;
  readonly description: string | null;
  readonly siteName: string | null;
  readonly image: URL | null;
}

export const MAX_TITLE = 300;
export const MAX_DESCRIPTION = 1000;
export const MAX_SITE_NAME = 100;

/** The `<meta>` keys read (by `property` or `name`); the first of each wins, as in browsers' and crawlers' readers. */
const KEYS: ReadonlySet<string> = new Set([
  'og:title',
  'og:description',
  'og:site_name',
  'og:image',
  'og:image:url',
  'og:image:secure_url',
  'twitter:title',
  'twitter:description',
  'twitter:image',
  'twitter:image:src',
  'description',
]);

/** Raw text kept per value before it is trimmed and bounded: enough for any real title, little memory for a hostile page. */
const MAX_RAW = 8192;

/**
 * Reads a page's head as its text arrives, with htmlparser2's tokenizer (entities decoded, tags
 * and attribute names in lower case), until the head ends: `</head>` or the start of `<body>`.
 * Open Graph tags win; Twitter's come next, then `<title>` and `<meta name="description">`.
 */
export class PageMetaReader {
  /** Whether the head has ended: the rest of the page is not needed. */
  done = false;
  private readonly values = new Map<string, string>();
  /** The first `<title>`'s text once it closed; `titleText` meanwhile (a page cut inside it keeps what came). */
  private title: string | null = null;
  private titleText = '';
  private inTitle = false;
  private readonly parser: Parser;

  constructor(private readonly pageUrl: URL) {
    this.parser = new Parser(
      {
        onopentag: (name, attrs) => {
          // The rest of a chunk that ended the head is still tokenized: nothing after the head counts.
          if (this.done) return;
          if (name === 'body') this.done = true;
          else if (name === 'title' && this.title === null) this.inTitle = true;
          else if (name === 'meta') this.meta(attrs);
        },
        ontext: (text) => {
          if (this.inTitle) this.titleText += text.slice(0, MAX_RAW - this.titleText.length);
        },
        onclosetag: (name) => {
          if (name === 'head') this.done = true;
          else if (name === 'title' && this.inTitle) {
            this.inTitle = false;
            this.title = this.titleText;
          }
        },
      },
      { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
    );
  }

  /** Feeds text; true once the head has ended. */
  write(text: string): boolean {
    if (!this.done && text) this.parser.write(text);
    return this.done;
  }

  /** What was read, once the page (or as much of it as was fetched) is in. */
  finish(): PageMeta {
    if (!this.done) this.parser.end();
    const pick = (...keys: (string | null)[]) =>
      keys.find((k): k is string => k !== null && plain(this.values.get(k) ?? '', 1) !== null);
    const text = (max: number, ...keys: string[]) => {
      const key = pick(...keys);
      return key === undefined ? null : plain(this.values.get(key)!, max);
    };
    const title = text(MAX_TITLE, 'og:title', 'twitter:title') ?? plain(this.title ?? this.titleText, MAX_TITLE);
    const imageKey = pick('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src');
    return {
      title,
      description: text(MAX_DESCRIPTION, 'og:description', 'twitter:description', 'description'),
      siteName: text(MAX_SITE_NAME, 'og:site_name'),
      image: imageKey === undefined ? null : webUrl(this.values.get(imageKey)!.trim(), this.pageUrl),
    };
  }

  private meta(attrs: Record<string, string>): void {
    const key = (attrs.property ?? attrs.name ?? '').trim().toLowerCase();
    const content = attrs.content;
    if (!KEYS.has(key) || content === undefined || this.values.has(key)) return;
    this.values.set(key, content.slice(0, MAX_RAW));
  }
}

/**
 * Text as a card shows it: white space collapsed, other control characters and lone surrogates gone,
 * cut to `max` characters (code points, never half of one) with an ellipsis; null when nothing is left.
 */
export function plain(raw: string, max: number): string | null {
  const text = raw
    .toWellFormed()
    .replace(/\s+/gu, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim();
  if (!text) return null;
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** An http(s) URL, relative ones against the page; anything else (data:, javascript:) is no image. */
function webUrl(raw: string, base: URL): URL | null {
  try {
    const url = new URL(raw, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    // Not a URL at all: the page simply has no usable image.
    return null;
  }
}
