import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ClientFrame } from '../../sdk/protocol/frames.js';
import { Tokens } from '../container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import { asSystemError } from '../db/database-errors.js';
import { MessageService } from '../messages/message-service.js';
import { compileValidator, type Validator } from '../validation/validator.js';
import { ChangeStream } from './change-stream.js';
import type { Connection } from './connection.js';
import { frameSchemas } from './frame-schemas.js';
import { Presence } from './presence.js';
import { CommandRouter } from '../plugins/command-router.js';
import { PostbackRouter } from '../plugins/postback-router.js';

type Handler = (conn: Connection, frame: any) => unknown;

/**
 * Parses, checks and dispatches every frame of an authenticated connection. A bad frame gets an
 * error frame; nothing a client sends can throw past this class.
 */
@injectable()
export class FrameRouter {
  private readonly validators: Map<string, Validator<ClientFrame>>;
  private readonly handlers: Record<string, Handler>;

  constructor(
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(MessageService) messages: MessageService,
    @inject(ChangeStream) stream: ChangeStream,
    @inject(Presence) presence: Presence,
    @inject(CommandRouter) commands: CommandRouter,
    @inject(PostbackRouter) postbacks: PostbackRouter,
  ) {
    this.validators = new Map(Object.entries(frameSchemas(config)).map(([type, schema]) => [type, compileValidator<ClientFrame>(schema)]));
    this.handlers = {
      auth: () => { throw new SwitchboardError('invalid_request', 'This connection is already authenticated.'); },
      send: (c, f) => messages.send(c.userId, f),
      edit: async (c, f) => ({ message: await messages.edit(c.userId, f.conversationId, f.messageId, f.content) }),
      delete: async (c, f) => ({ message: await messages.delete(c.userId, f.conversationId, f.messageId) }),
      react: async (c, f) => ({ message: await messages.react(c.userId, f.conversationId, f.messageId, f.emoji, f.op) }),
      read: (c, f) => messages.markRead(c.userId, f.conversationId, f.seq),
      typing: (c, f) => messages.typing(c.userId, f.conversationId, f.state),
      history: (c, f) => messages.history(c.userId, f.conversationId, { before: f.before, after: f.after, limit: f.limit ?? 50 }),
      resume: (c, f) => stream.resume(c, f.conversations),
      'presence.subscribe': (c, f) => presence.subscribe(c, f.userIds),
      'presence.unsubscribe': (c, f) => { presence.unsubscribe(c, f.userIds); return {}; },
      ping: (c, f) => { c.send({ type: 'pong', replyTo: f.id ?? null }); },
      command: (c, f) => commands.invoke(c.userId, f.conversationId, f.text),
      postback: (c, f) => postbacks.tap(c.userId, f.conversationId, f.messageId, f.buttonId),
    };
  }

  async handle(conn: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) {
      conn.sendError(null, new SwitchboardError('binary_frame_unsupported'));
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      conn.sendError(null, new SwitchboardError('invalid_json'));
      return;
    }
    const replyTo = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? ((raw as { id: string }).id.slice(0, 64)) : null;
    if (!conn.bucket.take()) {
      if (conn.bucket.refused > this.config.websocket.burst) {
        conn.closeWith('rate_limited', 'rate limit exceeded repeatedly');
        return;
      }
      conn.sendError(replyTo, new SwitchboardError('rate_limited', undefined, { retryAfterMs: conn.bucket.retryAfterMs() }));
      return;
    }
    try {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new SwitchboardError('invalid_request', 'A frame is a JSON object.', { details: [{ path: '/', message: 'must be object' }] });
      }
      const type = (raw as { type?: unknown }).type;
      if (typeof type !== 'string') {
        throw new SwitchboardError('invalid_request', 'Every frame needs a string "type".', { details: [{ path: '/type', message: 'is required' }] });
      }
      const validate = this.validators.get(type);
      const handler = this.handlers[type];
      if (!validate || !handler) throw new SwitchboardError('unknown_frame_type', `Unknown frame type "${type.slice(0, 64)}".`);
      const frame = validate(raw);
      const result = await handler(conn, frame);
      if (result !== undefined && replyTo !== null) conn.send({ type: 'result', replyTo, data: result as Record<string, unknown> });
    } catch (err) {
      if (err instanceof SwitchboardError) {
        conn.sendError(replyTo, err);
      } else {
        this.log.error({ err, sessionId: conn.sessionId }, 'frame handler failed');
        conn.sendError(replyTo, asSystemError(err));
      }
    }
  }
}
