import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { compileValidator } from '../../validation/validator.js';
import { idSchema } from '../../validation/schemas.js';
import { intQuery, requireUser } from '../request-context.js';
import type { RouteDeps } from './route-deps.js';

/** An ISO 8601 date, or date and time with a zone (the wire's own times end in Z). */
const isoTime = {
  type: 'string',
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
};

/** Wrapped in `query`, so that errors name their parameter as /query/since, as intQuery's do. */
const searchQuery = compileValidator<{
  query: {
    q: string;
    conversationId?: string;
    senderId?: string;
    since?: string;
    until?: string;
    hasAttachment?: 'true' | 'false';
    cursor?: string;
  };
}>({
  type: 'object',
  properties: {
    query: {
      type: 'object',
      required: ['q'],
      properties: {
        // The length in characters is the search's own rule (config search.maxQueryLength).
        q: { type: 'string', minLength: 1, maxLength: 4096 },
        conversationId: idSchema,
        senderId: idSchema,
        since: isoTime,
        until: isoTime,
        hasAttachment: { enum: ['true', 'false'] },
        cursor: { type: 'string', minLength: 1, maxLength: 512 },
      },
    },
  },
});

/** GET /v1/search: full-text search over the caller's conversations (HTTP only; docs/protocol.md "Search"). */
export function searchRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1/search' });
  router.get('/', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    // Other parameters are ignored, as everywhere; a repeated one is not a string and is refused.
    const { q, since, until, hasAttachment, ...rest } = searchQuery({ query: { ...ctx.query } }).query;
    ctx.body = await deps.search.search(me.userId, {
      ...rest,
      q,
      ...(since === undefined ? {} : { since: epochMs('since', since) }),
      ...(until === undefined ? {} : { until: epochMs('until', until) }),
      ...(hasAttachment === undefined ? {} : { hasAttachment: hasAttachment === 'true' }),
      limit: intQuery(ctx, 'limit', { min: 1, max: 50 }) ?? 20,
    });
  });
  return router;
}

/** A time the pattern let through that is still no date (2024-02-31) is refused, not guessed. */
function epochMs(name: string, value: string): number {
  const ms = Date.parse(value);
  // The pattern let only digits through: these are three numbers.
  const [y = 0, m = 0, d = 0] = value.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  if (Number.isNaN(ms) || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) {
    throw new SwitchboardError('invalid_request', `Query parameter ${name} is not a valid ISO 8601 time.`, {
      details: [{ path: `/query/${name}`, message: 'must be an ISO 8601 date or date-time' }],
    });
  }
  return ms;
}
