import { Counter, type Registry } from 'prom-client';

/**
 * Frames counted by type with plain numbers: a fan-out to a thousand sockets costs a thousand
 * increments, not a thousand label lookups. prom-client reads the numbers at scrape time. Only
 * the types listed are labels; anything else (a client's made-up type, bad JSON) is "other".
 */
export class FrameCounts {
  private readonly cells = new Map<string, { n: number }>();
  private readonly other = { n: 0 };

  constructor(registry: Registry, name: string, help: string, types: readonly string[]) {
    for (const type of types) this.cells.set(type, { n: 0 });
    const cells = this.cells;
    const other = this.other;
    new Counter({
      name,
      help,
      labelNames: ['type'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [type, cell] of cells) this.inc({ type }, cell.n);
        this.inc({ type: 'other' }, other.n);
      },
    });
  }

  count(type: string): void {
    (this.cells.get(type) ?? this.other).n++;
  }
}
