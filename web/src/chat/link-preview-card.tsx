import { useMemo } from 'preact/hooks';
import type { FormattedText } from './formatted-text';
import { previewLink } from './preview-link';
import { useLinkPreview } from './use-link-preview';
import './link-preview.css';

/** More of a description than a card shows in its three lines is left out, for screen readers too. */
const MAX_DESCRIPTION = 300;

/** The page's own name when it gives none: its host, without "www.". */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    // linkifyjs's href always parses; a card without a site line is still a card.
    return '';
  }
}

function shortened(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_DESCRIPTION
    ? text
    : `${chars
        .slice(0, MAX_DESCRIPTION - 1)
        .join('')
        .trimEnd()}…`;
}

/**
 * A card under a message's text for the first web page it links to, as messengers show them: the
 * page's picture, site, title and description, the whole card a link to the page (opening apart,
 * learning nothing of the conversation, as the text's links). The host fetched the page and made
 * the picture (an inline data: URL), so showing the card loads nothing from the page's site. No card
 * until the preview is in, none when the page has none: only the card's arrival moves the log.
 */
export function LinkPreviewCard({ formatted }: { formatted: FormattedText }) {
  const href = useMemo(() => previewLink(formatted), [formatted]);
  const preview = useLinkPreview(href);
  if (!href || !preview) return null;
  const { image, title, description } = preview;
  return (
    <a class="link-preview" href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
      {image ? (
        <img class="link-preview-image" src={image.url} width={image.width} height={image.height} alt="" />
      ) : null}
      <span class="link-preview-text">
        <span class="link-preview-site">{preview.siteName ?? hostOf(href)}</span>
        {title ? <span class="link-preview-title">{title}</span> : null}
        {description ? <span class="link-preview-description">{shortened(description)}</span> : null}
      </span>
    </a>
  );
}
