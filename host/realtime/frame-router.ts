import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { PluginError } from '../../sdk/plugin/plugin-error.js';
import type { ClientFrame } from '../../sdk/protocol/frames.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { asSystemError } from '../db/database-errors.js';
import { MessageService } from '../messages/message-service.js';
import { PinService } from '../messages/pin-service.js';
import { ReadAndTyping } from '../messages/read-and-typing.js';
import { compileValidator } from '../validation/validator.js';
import { assertInputStrings, stringProblem } from '../validation/input-strings.js';
import { ChangeStream } from './change-stream.js';
import type { Connection } from './connection.js';
import { frameSchemas } from './frame-schemas.js';
import { Presence } from './presence.js';
import type { CommandDispatch, PostbackDispatch } from '../core/extension-points.js';

/** Each client frame by its `type`. */
type FrameOfType = { [F in ClientFrame as F['type']]: F };
type FrameType = keyof FrameOfType;
/** One handler per frame type, given a frame that its type's schema has passed. */
type Handlers = { [T in FrameType]: (conn: Connection, frame: FrameOfType[T]) => unknown };
/** A known frame type's check and handler: the raw frame in, the handler's answer out. */
type Route = (conn: Connection, raw: unknown) => unknown;

/** The route of one frame type; the schema of type T passes only frames of type T. */
function route<T extends FrameType>(schema: object, handle: Handlers[T]): Route {
  const validate = compileValidator<FrameOfType[T]>(schema);
  return (conn, raw) => handle(conn, validate(raw));
}

/**
 * Parses, checks and dispatches every frame of an authenticated connection. A bad frame gets an
 * error frame; nothing a client sends can throw past this class.
 */
@injectable()
export class FrameRouter {
  private readonly routes = new Map<string, Route>();

  constructor(
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(MessageService) messages: MessageService,
    @inject(PinService) pins: PinService,
    @inject(ReadAndTyping) live: ReadAndTyping,
    @inject(ChangeStream) stream: ChangeStream,
    @inject(Presence) presence: Presence,
    @inject(Tokens.Commands) commands: CommandDispatch,
    @inject(Tokens.Postbacks) postbacks: PostbackDispatch,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
  ) {
    const handlers: Handlers = {
      auth: () => {
        throw new SwitchboardError('invalid_request', 'This connection is already authenticated.', {
          details: [{ path: '/type', message: 'auth is only the first frame' }],
        });
      },
      send: (c, f) => messages.send(c.userId, f),
      edit: async (c, f) => ({ message: await messages.edit(c.userId, f.conversationId, f.messageId, f.content) }),
      delete: async (c, f) => ({ message: await messages.delete(c.userId, f.conversationId, f.messageId) }),
      react: async (c, f) => ({
        message: await messages.react(c.userId, f.conversationId, f.messageId, f.emoji, f.op),
      }),
      pin: async (c, f) => ({ pin: await pins.pin(c.userId, f.conversationId, f.messageId) }),
      unpin: async (c, f) => {
        await pins.unpin(c.userId, f.conversationId, f.messageId);
        return {};
      },
      pins: async (c, f) => ({ pins: await pins.list(c.userId, f.conversationId) }),
      read: (c, f) => live.markRead(c.userId, f.conversationId, f.seq),
      typing: (c, f) => live.typing(c.userId, f.conversationId, f.state),
      history: (c, f) =>
        messages.history(c.userId, f.conversationId, { before: f.before, after: f.after, limit: f.limit ?? 50 }),
      resume: (c, f) => stream.resume(c, f.conversations),
      'presence.subscribe': (c, f) => presence.subscribe(c, f.userIds),
      'presence.unsubscribe': (c, f) => {
        presence.unsubscribe(c, f.userIds);
        return {};
      },
      ping: (c, f) => {
        c.send({ type: 'pong', replyTo: f.id ?? null });
      },
      command: (c, f) => commands.invoke(c.userId, f.conversationId, f.text, f.idempotencyKey ?? null),
      postback: (c, f) => postbacks.tap(c.userId, f.conversationId, f.messageId, f.buttonId),
    };
    const schemas = frameSchemas(config);
    // Object.keys of a literal typed Handlers: exactly the frame types.
    for (const type of Object.keys(handlers) as FrameType[])
      this.routes.set(type, route(schemas[type], handlers[type]));
  }

  async handle(conn: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    // Every frame after `auth` counts against the limit, whatever it holds: binary, bad JSON and
    // unknown types cost the host as much work as a ping.
    let raw: unknown;
    let parsed = false;
    if (!isBinary) {
      try {
        raw = JSON.parse(data.toString('utf8'));
        parsed = true;
      } catch {
        /* answered below, once the frame has been counted */
      }
    }
    const replyTo = replyToOf(raw);
    // Counted before the rate limit: refused frames cost the host too. Binary and bad JSON are "other".
    this.metrics.framesIn.count(
      typeof (raw as { type?: unknown } | null)?.type === 'string' ? (raw as { type: string }).type : 'other',
    );
    if (conn.draining) {
      conn.sendError(replyTo, new SwitchboardError('shutting_down'));
      return;
    }
    const taken = conn.bucket.take(Date.now(), replyTo);
    if (!taken.ok) {
      // Flooding: more refused frames waiting for their turn than ten seconds at the limit (or the
      // burst, if larger). Refused frames wait in order; a client that resends each one after its
      // retryAfterMs finds it served, so its backlog only shrinks. One that resends early, or keeps
      // sending faster than the limit, adds a turn for every refusal until it passes this.
      if (taken.waiting > floodLimit(this.config.websocket)) {
        conn.closeWith('rate_limited');
        return;
      }
      conn.sendError(replyTo, new SwitchboardError('rate_limited', undefined, { retryAfterMs: taken.retryAfterMs }));
      return;
    }
    if (isBinary) {
      conn.sendError(null, new SwitchboardError('binary_frame_unsupported'));
      return;
    }
    if (!parsed) {
      conn.sendError(null, new SwitchboardError('invalid_json'));
      return;
    }
    try {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new SwitchboardError('invalid_request', 'A frame is a JSON object.', {
          details: [{ path: '/', message: 'must be object' }],
        });
      }
      // Every string of every frame, field names included: well-formed Unicode, no U+0000.
      assertInputStrings(raw);
      const type = (raw as { type?: unknown }).type;
      if (typeof type !== 'string') {
        throw new SwitchboardError('invalid_request', 'Every frame needs a string "type".', {
          details: [{ path: '/type', message: 'is required' }],
        });
      }
      const handle = this.routes.get(type);
      if (!handle)
        throw new SwitchboardError(
          'unknown_frame_type',
          `Unknown frame type "${Array.from(type).slice(0, 64).join('')}".`,
        );
      const result = await handle(conn, raw);
      if (result !== undefined && replyTo !== null)
        conn.send({ type: 'result', replyTo, data: result as Record<string, unknown> });
    } catch (err) {
      if (err instanceof PluginError) {
        // A plugin's own refusal of a command or tap (callPlugin): its code and details, as it threw them.
        conn.send({ type: 'error', replyTo, error: err.toBody().error });
      } else if (err instanceof SwitchboardError) {
        conn.sendError(replyTo, err);
      } else {
        this.log.error({ err, sessionId: conn.sessionId }, 'frame handler failed');
        conn.sendError(replyTo, asSystemError(err));
      }
    }
  }
}

/**
 * The `replyTo` of an answer: the frame's `id` when it is a valid id (a string of 1–64
 * characters, counted in code points, well-formed and without U+0000), else null. An id that is
 * a number, too long or ill-formed is never echoed, whole or cut.
 */
export function replyToOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const id = (raw as { id?: unknown }).id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128 || stringProblem(id) !== null) return null;
  let codePoints = 0;
  for (const _ of id) codePoints++;
  return codePoints <= 64 ? id : null;
}

/** Refused frames that may wait for their turn before a connection counts as flooding (4008). */
export function floodLimit(limits: { framesPerSecond: number; burst: number }): number {
  return Math.max(limits.burst, 10 * limits.framesPerSecond);
}
