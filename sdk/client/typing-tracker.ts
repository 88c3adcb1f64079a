import type { TypingEventFrame } from '../protocol/frames.js';

/** How long a 'started' counts without another one: the host does not send 'stopped' when a typist leaves. */
export const TYPING_EXPIRY_MS = 6_000;

/** Who is typing in each conversation, from `typing` frames; entries expire on their own. */
export class TypingTracker {
  private readonly typists = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();

  constructor(private readonly onChange: (conversationId: string) => void) {}

  apply(frame: TypingEventFrame): void {
    let users = this.typists.get(frame.conversationId);
    const timer = users?.get(frame.userId);
    clearTimeout(timer);
    if (frame.state === 'stopped') {
      if (timer === undefined) return;
      this.remove(frame.conversationId, frame.userId);
      return;
    }
    if (!users) this.typists.set(frame.conversationId, (users = new Map<string, ReturnType<typeof setTimeout>>()));
    users.set(
      frame.userId,
      setTimeout(() => this.remove(frame.conversationId, frame.userId), TYPING_EXPIRY_MS),
    );
    if (timer === undefined) this.onChange(frame.conversationId);
  }

  of(conversationId: string): string[] {
    return [...(this.typists.get(conversationId)?.keys() ?? [])];
  }

  /** Forgets everyone (the connection ended: no 'stopped' would reach us). */
  clear(): void {
    const conversations = [...this.typists.keys()];
    for (const users of this.typists.values()) for (const timer of users.values()) clearTimeout(timer);
    this.typists.clear();
    for (const id of conversations) this.onChange(id);
  }

  private remove(conversationId: string, userId: string): void {
    const users = this.typists.get(conversationId);
    if (!users?.delete(userId)) return;
    if (users.size === 0) this.typists.delete(conversationId);
    this.onChange(conversationId);
  }
}
