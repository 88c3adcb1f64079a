import { LRUCache } from 'lru-cache';
import type { LinkPreview } from '../../sdk/protocol/link-preview.js';
import type { PreviewSource } from '../metrics/link-preview-metrics.js';

/** How a page's preview went: the preview, or why there is none (the message of link_preview_unavailable). */
export type PreviewOutcome =
  { readonly ok: true; readonly preview: LinkPreview } | { readonly ok: false; readonly why: string };

export interface PreviewCacheLimits {
  readonly previewTtlMs: number;
  readonly failureTtlMs: number;
  /** Roughly the bytes held, all entries together (a preview's picture is most of it). */
  readonly maxBytes: number;
}

/**
 * Previews by page URL, for every user of the host: a page is fetched once however many people
 * see the link. A preview is kept `previewTtlMs`, a failure `failureTtlMs` (a site that was down
 * gets another chance sooner); least recently used out first past `maxBytes`. Requests for a page
 * whose fetch is under way wait for that fetch instead of starting another.
 */
export class PreviewCache {
  private readonly settled: LRUCache<string, PreviewOutcome>;
  private readonly inFlight = new Map<string, Promise<PreviewOutcome>>();

  constructor(private readonly limits: PreviewCacheLimits) {
    this.settled = new LRUCache<string, PreviewOutcome>({
      max: 10_000,
      maxSize: limits.maxBytes,
      sizeCalculation: sizeOf,
    });
  }

  /** The outcome kept for the page, if it is still fresh. */
  known(key: string): PreviewOutcome | undefined {
    return this.settled.get(key);
  }

  /** Whether the page is being fetched now (a new request joins that fetch for free). */
  fetching(key: string): boolean {
    return this.inFlight.has(key);
  }

  /**
   * The page's outcome: the one kept (`cached`), else the fetch under way (`joined`), else
   * `make()` run now (`fetched`) and kept. A `make()` that throws (a fault of the host, not of the
   * page) is not kept.
   */
  get(key: string, make: () => Promise<PreviewOutcome>): { source: PreviewSource; outcome: Promise<PreviewOutcome> } {
    const known = this.settled.get(key);
    if (known) return { source: 'cached', outcome: Promise.resolve(known) };
    const running = this.inFlight.get(key);
    if (running) return { source: 'joined', outcome: running };
    const outcome = make()
      .then((settled) => {
        const ttl = settled.ok ? this.limits.previewTtlMs : this.limits.failureTtlMs;
        this.settled.set(key, settled, { ttl });
        return settled;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, outcome);
    return { source: 'fetched', outcome };
  }
}

/** About what an outcome holds in memory: its strings (two bytes a character) and some overhead. */
function sizeOf(outcome: PreviewOutcome): number {
  if (!outcome.ok) return 64 + outcome.why.length * 2;
  const p = outcome.preview;
  const strings = [p.url, p.siteName, p.title, p.description, p.image?.url];
  return 256 + strings.reduce((sum, s) => sum + (s?.length ?? 0) * 2, 0);
}
