import { Counter, type Registry } from 'prom-client';

const SOURCES = ['fetched', 'joined', 'cached'] as const;
const OUTCOMES = ['preview', 'unavailable'] as const;

export type PreviewSource = (typeof SOURCES)[number];

/**
 * Link previews as operators watch them: answers by where they came from (fetched: this request
 * fetched the page; joined: it waited for a fetch another request had started; cached: the host
 * had the answer), and the fetches by how they went, so the cache's worth and the share of pages
 * that give no preview can be read off.
 */
export class LinkPreviewMetrics {
  private readonly answers: Counter<'source'>;
  private readonly fetches: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.answers = new Counter({
      name: 'switchboard_link_previews_total',
      help: 'Link preview requests answered, by source (fetched, joined, cached).',
      labelNames: ['source'],
      registers: [registry],
    });
    for (const source of SOURCES) this.answers.labels(source);
    this.fetches = new Counter({
      name: 'switchboard_link_preview_fetches_total',
      help: 'Pages fetched for link previews, by outcome (preview, unavailable).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of OUTCOMES) this.fetches.labels(outcome);
  }

  answered(source: PreviewSource): void {
    this.answers.labels(source).inc();
  }

  fetched(outcome: (typeof OUTCOMES)[number]): void {
    this.fetches.labels(outcome).inc();
  }
}
