import type { BlockedUser, UserBlockFrame } from '../protocol/blocks.js';
import type { ClientEvents } from './client-types.js';
import type { TypedEmitter } from './event-emitter.js';
import type { HttpApi } from './http-api.js';

/**
 * Whom I block (docs/client.md, "Blocking people"), as the host last said: read again at each
 * connection, changed by my own calls and by `user.block` frames from my other devices. The
 * conversation cache reads `ids` so that a mention from someone I block never counts, as the
 * host's counts leave it out; a change makes `recount` ask the host for the counts again.
 */
export class BlockList {
  private blocked: BlockedUser[] = [];
  /** The ids of `list()`, kept in step with it. */
  readonly ids = new Set<string>();

  constructor(
    private readonly http: HttpApi,
    private readonly events: TypedEmitter<ClientEvents>,
    private readonly recount: () => unknown,
  ) {}

  /** Newest first. */
  list(): BlockedUser[] {
    return [...this.blocked];
  }

  has(userId: string): boolean {
    return this.ids.has(userId);
  }

  /** Blocks them: sends in our direct conversation are refused both ways (`blocked`) until unblocked. */
  async block(userId: string): Promise<BlockedUser> {
    const blocked = await this.http.block(userId);
    this.set(userId, blocked.blockedAt);
    return blocked;
  }

  async unblock(userId: string): Promise<void> {
    await this.http.unblock(userId);
    this.set(userId, null);
  }

  /** The list from the host (the client does it at each connection). */
  async refresh(): Promise<BlockedUser[]> {
    const blocked = await this.http.blocks();
    const same =
      blocked.length === this.blocked.length && blocked.every((b, i) => b.userId === this.blocked[i]!.userId);
    this.blocked = blocked;
    this.ids.clear();
    for (const b of blocked) this.ids.add(b.userId);
    if (!same) this.events.emit('blocks', this.list());
    return this.list();
  }

  /** Blocked or unblocked on another device (or this one: then nothing changes). */
  apply(frame: UserBlockFrame): void {
    this.set(frame.userId, frame.blockedAt);
  }

  /** Another user connected with this client: theirs comes with the connection. */
  clear(): void {
    if (this.blocked.length === 0) return;
    this.blocked = [];
    this.ids.clear();
    this.events.emit('blocks', []);
  }

  private set(userId: string, blockedAt: string | null): void {
    if ((blockedAt !== null) === this.ids.has(userId)) return;
    if (blockedAt === null) {
      this.ids.delete(userId);
      this.blocked = this.blocked.filter((b) => b.userId !== userId);
    } else {
      this.ids.add(userId);
      this.blocked = [{ userId, blockedAt }, ...this.blocked];
    }
    this.events.emit('blocks', this.list());
    this.recount();
  }
}
