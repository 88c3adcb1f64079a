/**
 * The conversation list's order: by latest activity, newest first, as the host lists it. Kept
 * apart from the cache's entries, which say what each conversation's activity is.
 */
export class ActivityOrder {
  private ids: string[] = [];

  /** `activityOf`: a conversation's latest activity, as a string that sorts in time order. */
  constructor(private readonly activityOf: (id: string) => string) {}

  get all(): readonly string[] {
    return this.ids;
  }

  /** A fingerprint of the order, to tell whether a change moved anything. */
  key(): string {
    return this.ids.join();
  }

  /** Appends a conversation already in order (entries loaded from the store). */
  push(id: string): void {
    this.ids.push(id);
  }

  /**
   * Takes the host's listing as the order; the conversations known here that it did not name
   * (made after it was asked for) then go to their places.
   */
  relist(listed: readonly string[], alsoKnown: (id: string) => boolean): void {
    const listedIds = new Set(listed);
    const rest = this.ids.filter((id) => !listedIds.has(id) && alsoKnown(id));
    this.ids = [...listed];
    for (const id of rest) this.place(id);
  }

  remove(id: string): void {
    this.ids = this.ids.filter((o) => o !== id);
  }

  /** Moves a conversation to its place by latest activity (adding it if new); returns whether it moved. */
  place(id: string): boolean {
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
    const activity = this.activityOf(id);
    let i = 0;
    while (i < this.ids.length && this.activityOf(this.ids[i]!) > activity) i++;
    this.ids.splice(i, 0, id);
    return i !== at;
  }
}
