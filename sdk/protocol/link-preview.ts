/** What GET /v1/link-preview answers (docs/protocol.md, "Link previews"). */

/**
 * A small picture of the page, made by the host from its `og:image`: a data: URL (WebP, at most
 * 400 × 400 pixels), so showing it loads nothing from the page's site. `width` and `height` let a
 * client keep its room before it is drawn.
 */
export interface LinkPreviewImage {
  readonly url: string;
  readonly width: number;
  readonly height: number;
}

/**
 * A web page as a preview card shows it, from its Open Graph tags (`og:title`, `og:description`,
 * `og:site_name`, `og:image`), else its `<title>` and `<meta name="description">`. Texts are plain
 * (entities decoded, white space collapsed): show them as text, never as HTML. At least one of
 * `title` and `description` is set.
 */
export interface LinkPreview {
  /** The page asked about, as the host read the URL (without its #fragment). */
  readonly url: string;
  /** At most 100 characters. */
  readonly siteName: string | null;
  /** At most 300 characters. */
  readonly title: string | null;
  /** At most 1000 characters. */
  readonly description: string | null;
  readonly image: LinkPreviewImage | null;
}
