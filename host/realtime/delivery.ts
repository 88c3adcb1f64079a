import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { EventBus, HostEventOf } from '../bus/event-bus.js';
import { ChangeStream } from './change-stream.js';
import { ConnectionRegistry } from './connection-registry.js';
import { SessionRecheck } from './session-recheck.js';
import { OutageCatchUp } from './outage-catch-up.js';
import { ProfileFanout } from './profile-fanout.js';
import { MemberDirectory } from '../conversations/member-directory.js';
import { messageChangeFrame } from '../messages/message-change.js';
import { muteFrame } from '../conversations/mute-service.js';
import { blockFrame } from '../conversations/block-service.js';
import { archiveFrame } from '../conversations/archive-service.js';
import type { ServerFrame } from '../../sdk/protocol/frames.js';

/**
 * Routes committed events from the bus to this host's connections: each event is serialized
 * once and the same bytes go to every member's sockets.
 */
@injectable()
export class Delivery {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @inject(MemberDirectory) private readonly directory: MemberDirectory,
    @inject(ChangeStream) private readonly stream: ChangeStream,
    @inject(SessionRecheck) private readonly recheck: SessionRecheck,
    @inject(OutageCatchUp) private readonly outageCatchUp: OutageCatchUp,
    @inject(ProfileFanout) private readonly profiles: ProfileFanout,
  ) {}

  start(): void {
    // Revocations and changes the bus could not carry are caught up when it is back.
    this.recheck.start();
    this.outageCatchUp.start();
    this.unsubscribe.push(
      this.bus.subscribe('message.changed', (e) => this.onChange(e)),
      this.bus.subscribe('membership.changed', (e) => this.onMembership(e)),
      this.bus.subscribe('receipt', (e) => {
        const frame = { type: 'receipt', conversationId: e.conversationId, userId: e.userId, seq: e.seq } as const;
        // Across a block (read-and-typing.ts) the reader's own devices still move their counts.
        if (e.ownOnly) this.toOwn(e.userId, frame);
        else this.toMembers(e.conversationId, 'receipt', JSON.stringify(frame));
      }),
      this.bus.subscribe('typing', (e) =>
        this.toMembers(
          e.conversationId,
          'typing',
          JSON.stringify({ type: 'typing', conversationId: e.conversationId, userId: e.userId, state: e.state }),
          e.userId,
        ),
      ),
      this.bus.subscribe('user.updated', (e) => this.profiles.deliver(e)),
      this.bus.subscribe('conversation.muted', (e) => this.toOwn(e.userId, muteFrame(e.conversationId, e.mutedUntil))),
      this.bus.subscribe('conversation.archived', (e) =>
        this.toOwn(e.userId, archiveFrame(e.conversationId, e.archivedAt)),
      ),
      this.bus.subscribe('block.changed', (e) => this.toOwn(e.blockerId, blockFrame(e.userId, e.blockedAt))),
      this.bus.subscribe('thread.read', ({ userId, type, ...position }) => this.toOwn(userId, { type, ...position })),
      this.bus.subscribe('thread.unread', ({ type, conversationId, rootId, followers }) => {
        for (const { userId, seq, unreadCount } of followers) {
          const conns = this.registry.ofUser(userId);
          if (!conns) continue;
          const frame = Buffer.from(JSON.stringify({ type, conversationId, rootId, seq, unreadCount }));
          for (const conn of conns) conn.sendRaw(frame, 'thread.unread');
        }
      }),
      this.bus.subscribe('token.revoked', (e) => {
        for (const conn of [...(this.registry.ofToken(e.tokenId) ?? [])]) conn.closeWith(e.reason ?? 'session_ended');
      }),
    );
  }

  stop(): void {
    this.recheck.stop();
    this.outageCatchUp.stop();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private onChange(event: HostEventOf<'message.changed'>): void {
    this.directory.withMembers(event.conversationId, (members) => {
      let frame: Buffer | null = null;
      for (const userId of members) {
        const conns = this.registry.ofUser(userId);
        if (!conns) continue;
        frame ??= Buffer.from(
          JSON.stringify(messageChangeFrame(event.conversationId, event.pts, event.change, event.message)),
        );
        for (const conn of conns) this.stream.deliver(conn, event, frame);
      }
    });
  }

  private onMembership(event: HostEventOf<'membership.changed'>): void {
    this.directory.apply(event.conversationId, event.added, event.removed);
    for (const userId of event.removed) {
      for (const conn of this.registry.ofUser(userId) ?? []) this.stream.forget(conn, event.conversationId);
    }
  }

  /** A user's own state changed (a mute, an archive, a thread's read position): all their sockets, no one else's. */
  private toOwn(userId: string, frame: ServerFrame): void {
    const conns = this.registry.ofUser(userId);
    if (!conns) return;
    const data = Buffer.from(JSON.stringify(frame));
    for (const conn of conns) conn.sendRaw(data, frame.type);
  }

  private toMembers(conversationId: string, type: 'receipt' | 'typing', text: string, except?: string): void {
    this.directory.withMembers(conversationId, (members) => {
      let frame: Buffer | null = null;
      for (const userId of members) {
        if (userId === except) continue;
        const conns = this.registry.ofUser(userId);
        if (!conns) continue;
        frame ??= Buffer.from(text);
        for (const conn of conns) conn.sendRaw(frame, type);
      }
    });
  }
}
