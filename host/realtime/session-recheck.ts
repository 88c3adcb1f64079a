import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Logger } from '../logging/logger.js';
import { TokenService } from '../auth/token-service.js';
import { ConnectionRegistry } from './connection-registry.js';

/**
 * A revocation committed on another host while the bus was down never reaches this host as an
 * event. So when the bus is back, the tokens of this host's open connections are checked against
 * the database, and sessions that ended meanwhile are closed as a live revocation closes them, with
 * the same reason (a deactivated account's with account_deactivated).
 */
@injectable()
export class SessionRecheck {
  private off: (() => void) | null = null;

  constructor(
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @inject(TokenService) private readonly tokens: TokenService,
    @inject(Tokens.Logger) private readonly log: Logger,
  ) {}

  start(): void {
    this.off = this.bus.onReconnected?.(() => void this.recheck()) ?? null;
  }

  stop(): void {
    this.off?.();
    this.off = null;
  }

  private async recheck(): Promise<void> {
    const tokenIds = [...new Set([...this.registry.connections()].map((conn) => conn.tokenId))];
    if (tokenIds.length === 0) return;
    try {
      const ended = await this.tokens.endedAmong(tokenIds);
      for (const [tokenId, reason] of ended) {
        for (const conn of [...(this.registry.ofToken(tokenId) ?? [])]) conn.closeWith(reason);
      }
      if (ended.size > 0) this.log.info({ sessions: ended.size }, 'closed sessions revoked while Redis was down');
    } catch (err) {
      this.log.warn({ err }, 'could not recheck sessions after Redis came back');
    }
  }
}
