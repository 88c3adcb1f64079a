import type { PluginHttpRequest } from '../../../sdk/index.js';
import { PaymentError } from '../payment-error.js';

/** A route's body as JSON Schema: an object with these properties and no others. */
export interface BodySchema {
  type: 'object';
  additionalProperties: false;
  properties: Readonly<Record<string, { description?: string }>>;
  /** No body (or an empty one) is the empty object. */
  optional?: boolean;
}

const fields = (names: string[], optional = false): BodySchema => ({
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(names.map((n) => [n, {}])),
  ...(optional ? { optional } : {}),
});

/**
 * The body of every payments route that takes one (docs/payments.md). A field not listed is
 * refused with invalid_payment_request, on every route alike. The provider's callbacks are not
 * here: their body is the provider's signed event, checked by its adapter.
 */
export const ROUTE_BODIES = {
  'POST /pin': fields(['pin', 'currentPin']),
  'POST /transfers': fields(['to', 'amountMinor', 'currency', 'pin', 'idempotencyKey', 'conversationId', 'note']),
  'POST /topups': fields(['amountMinor', 'currency', 'card', 'idempotencyKey']),
  'POST /payouts': fields(['amountMinor', 'currency', 'destination', 'pin', 'idempotencyKey']),
  'POST /holds': fields(['payee', 'amountMinor', 'currency', 'pin', 'idempotencyKey', 'expiresInMs', 'description']),
  'POST /holds/:id/capture': fields(['amountMinor', 'idempotencyKey', 'currency', 'final']),
  'POST /holds/:id/void': fields(['idempotencyKey']),
  'POST /holds/:id/refunds': fields(['amountMinor', 'idempotencyKey', 'currency', 'reason']),
  'POST /transfers/:id/refunds': fields(['amountMinor', 'idempotencyKey', 'currency', 'reason']),
  'POST /requests': fields(['from', 'amountMinor', 'currency', 'conversationId', 'note', 'idempotencyKey']),
  'POST /requests/:id/pay': fields(['pin', 'idempotencyKey']),
  'POST /requests/:id/decline': fields([], true),
  'POST /requests/:id/cancel': fields([], true),
  'POST /admin/verify': fields([], true),
  'POST /admin/reconcile': fields(['olderThanMs'], true),
  'POST /admin/holds/expire': fields(['holdId'], true),
  'POST /admin/simulator/callbacks': fields(['operationId', 'status']),
} as const satisfies Record<string, BodySchema>;

export type RouteWithBody = keyof typeof ROUTE_BODIES;

/** The request's body, checked against its route's schema: an object, with no field the route does not take. */
export function bodyOf(request: PluginHttpRequest, route: RouteWithBody): Record<string, unknown> {
  const schema: BodySchema = ROUTE_BODIES[route];
  let body = request.body;
  if (body === null && request.rawBody.trim() === '' && schema.optional) body = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new PaymentError('invalid_payment_request', 'The body must be a JSON object.');
  refuseUnknownFields(body, Object.keys(schema.properties), route.slice(5));
  return body as Record<string, unknown>;
}

/**
 * The payments rule for every input it takes, route bodies and the `payments.request` service's
 * input alike: a field it does not know is refused (a typo such as `memo` for `note` must not be
 * ignored), naming the unknown fields and the ones `what` takes.
 */
export function refuseUnknownFields(value: object, allowed: readonly string[], what: string): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length === 0) return;
  throw new PaymentError(
    'invalid_payment_request',
    `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ${what} takes ${allowed.length > 0 ? allowed.join(', ') : 'no fields'}.`,
    {
      unknownFields: unknown,
      allowedFields: [...allowed],
    },
  );
}
