import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { LinkPreview } from '../../sdk/protocol/link-preview.js';
import type { ImageLimits } from '../attachments/image-decode.js';
import type { LinkPreviewsConfig } from '../config/host-config.js';
import type { LinkPreviewMetrics } from '../metrics/link-preview-metrics.js';
import { parsePattern, type HostPattern } from '../outbound/host-patterns.js';
import { fetchResource } from './fetch-resource.js';
import { PageDecoder } from './page-decoder.js';
import { PreviewCache, type PreviewOutcome } from './preview-cache.js';
import { previewImage } from './preview-image.js';
import { unavailable } from './preview-unavailable.js';
import { PageMetaReader } from './read-page-meta.js';

/** The longest page URL taken, as browsers' address bars keep them in practice. */
export const MAX_URL_LENGTH = 2048;
const TIMEOUT_MS = 5_000;
const MAX_PAGE_BYTES = 512 * 1024;
const HTML_TYPES: ReadonlySet<string> = new Set(['text/html', 'application/xhtml+xml']);

/**
 * Link previews (GET /v1/link-preview): the host, never the reader's browser, fetches the page
 * (so no reader's address reaches the site, and no third party's content reaches the page but a
 * picture the host re-encoded), reads its head, and keeps the outcome for everyone
 * (preview-cache.ts). The rules of fetching are fetch-resource.ts's.
 */
export class LinkPreviews {
  private readonly allowHosts: readonly HostPattern[];
  private readonly cache = new PreviewCache({
    previewTtlMs: 60 * 60_000,
    failureTtlMs: 5 * 60_000,
    maxBytes: 32 * 1024 * 1024,
  });

  constructor(
    private readonly config: LinkPreviewsConfig,
    private readonly imageLimits: ImageLimits,
    private readonly metrics: LinkPreviewMetrics,
  ) {
    this.allowHosts = config.allowHosts.map(parsePattern);
  }

  /**
   * The page's preview: kept, under way, or fetched now, once `admitFetch` (the caller's rate
   * limit, counted only for a fetch this request starts) lets it. `link_previews_disabled` when
   * the operator turned previews off, `link_preview_unavailable` when the page gives none.
   */
  async preview(url: URL, admitFetch: () => Promise<void>): Promise<LinkPreview> {
    if (!this.config.enabled) throw new SwitchboardError('link_previews_disabled');
    const key = url.href;
    if (!this.cache.known(key) && !this.cache.fetching(key)) await admitFetch();
    const { source, outcome: answer } = this.cache.get(key, () => this.make(url));
    this.metrics.answered(source);
    const outcome = await answer;
    if (!outcome.ok) throw new SwitchboardError('link_preview_unavailable', outcome.why);
    return outcome.preview;
  }

  private async make(url: URL): Promise<PreviewOutcome> {
    try {
      const preview = await this.read(url);
      this.metrics.fetched('preview');
      return { ok: true, preview };
    } catch (err) {
      if (!(err instanceof SwitchboardError && err.code === 'link_preview_unavailable')) throw err;
      this.metrics.fetched('unavailable');
      return { ok: false, why: err.message };
    }
  }

  private async read(url: URL): Promise<LinkPreview> {
    // Made once the answer to read is known: its charset, and where the redirects led.
    const page: { decoder?: PageDecoder; reader?: PageMetaReader } = {};
    await fetchResource(
      url,
      {
        allowHosts: this.allowHosts,
        timeoutMs: TIMEOUT_MS,
        maxRedirects: 3,
        maxBytes: MAX_PAGE_BYTES,
        overflow: 'cut',
        accept: 'text/html,application/xhtml+xml;q=0.9',
        takes: (type) => HTML_TYPES.has(type),
        wanted: 'an HTML page',
      },
      (head) => {
        const decoder = (page.decoder = new PageDecoder(head.charset));
        // Relative og:image URLs are relative to the page the redirects led to.
        const reader = (page.reader = new PageMetaReader(head.url));
        return (chunk) => reader.write(decoder.push(chunk));
      },
    );
    const { decoder, reader } = page;
    if (!decoder || !reader) throw unavailable('it sent nothing');
    reader.write(decoder.end());
    const meta = reader.finish();
    if (meta.title === null && meta.description === null) throw unavailable('it has no title or description');
    const image = meta.image
      ? await previewImage(meta.image, { allowHosts: this.allowHosts, timeoutMs: TIMEOUT_MS }, this.imageLimits)
      : null;
    return { url: url.href, siteName: meta.siteName, title: meta.title, description: meta.description, image };
  }
}

/**
 * The page a request asks about: an absolute http(s) URL without credentials, at most
 * MAX_URL_LENGTH characters, its #fragment dropped (it never reaches the site, and two links to
 * one page share a preview). Anything else is `invalid_request` naming /query/url.
 */
export function pageUrl(raw: unknown): URL {
  const refuse = (why: string): never => {
    throw new SwitchboardError('invalid_request', `Query parameter url ${why}.`, {
      details: [{ path: '/query/url', message: why }],
    });
  };
  if (typeof raw !== 'string' || raw === '') return refuse('must be given once, as an absolute http(s) URL');
  if (raw.length > MAX_URL_LENGTH) refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // URL's TypeError says only "Invalid URL": the caller gets the catalog code and the parameter.
    return refuse('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse('must be an http: or https: URL');
  if (url.username || url.password) refuse('may not carry credentials');
  url.hash = '';
  return url;
}
