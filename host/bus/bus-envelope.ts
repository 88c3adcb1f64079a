import type { HostEvent } from './event-bus.js';

/**
 * What travels through Redis: the events one host published in one turn of its event loop, in
 * order, with the host (its own come back and are skipped) and the time (for the publish →
 * deliver lag). One entry for a turn's events, not one each: on these machines every write to a
 * socket and every wake-up of a reader costs more than the bytes, and each host reads each entry.
 */
export interface Envelope {
  host: string;
  /** The publisher's Date.now() (a host of the release before might not say). */
  at?: number;
  events: HostEvent[];
}

/** Events (serialized as published) gathered for one entry. */
export class EnvelopeBuilder {
  private texts: string[] = [];
  private bytes = 0;

  constructor(
    /** An entry holds at most this many events… */
    private readonly maxEvents: number,
    /** …and about this many bytes, so that no entry is large however busy the turn. */
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.texts.length;
  }

  /** Adds an event; true when the entry is full and must be sent now. */
  add(event: HostEvent): boolean {
    // Serialized at once, so what other hosts get is the event as published, whatever a local handler does to it.
    const text = JSON.stringify(event);
    this.texts.push(text);
    this.bytes += text.length;
    return this.texts.length >= this.maxEvents || this.bytes >= this.maxBytes;
  }

  /** The entry's text, and a fresh start. */
  take(host: string, at: number): string {
    const text = `${envelopePrefix(host)}"at":${at},"events":[${this.texts.join(',')}]}`;
    this.texts = [];
    this.bytes = 0;
    return text;
  }
}

/** How every entry `host` writes begins, so that it can tell its own without parsing them. */
export function envelopePrefix(host: string): string {
  return `{"host":${JSON.stringify(host)},`;
}

/** The envelope in an entry's text, or null if it is not one a host wrote. */
export function readEnvelope(text: string | undefined): Envelope | null {
  const parsed = JSON.parse(text ?? '') as Partial<Envelope> & { event?: HostEvent };
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.host !== 'string') return null;
  // A host of the release before sent one event an entry; a rolling upgrade meets both.
  const events = Array.isArray(parsed.events) ? parsed.events : parsed.event ? [parsed.event] : null;
  if (!events) return null;
  return { host: parsed.host, ...(typeof parsed.at === 'number' ? { at: parsed.at } : {}), events };
}
