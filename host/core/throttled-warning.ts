/**
 * Counts occurrences of something worth a warning (items a full queue dropped) and says so at
 * most once every `everyMs`, with how many since it last did: a burst is one line, not thousands.
 */
export class ThrottledWarning {
  private unsaid = 0;
  private lastSaid = 0;

  constructor(
    private readonly everyMs: number,
    private readonly say: (count: number) => void,
  ) {}

  add(now = Date.now()): void {
    this.unsaid++;
    if (now - this.lastSaid < this.everyMs) return;
    this.say(this.unsaid);
    this.unsaid = 0;
    this.lastSaid = now;
  }
}
