import { Router } from '@koa/router';
import { compileValidator } from '../../validation/validator.js';
import { object } from '../../validation/schemas.js';
import { body, requireUser } from '../request-context.js';
import { MAX_ENDPOINT_LENGTH } from '../../push/push-endpoint.js';
import { TIME_OF_DAY_PATTERN } from '../../push/quiet-hours.js';
import type { NotificationSettings } from '../../push/notification-settings.js';
import type { SubscriptionInput } from '../../push/push-subscriptions.js';
import type { RouteDeps } from './route-deps.js';

const endpointSchema = { type: 'string', minLength: 1, maxLength: MAX_ENDPOINT_LENGTH } as const;
const keySchema = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '^[A-Za-z0-9_-]+=*$' });

const subscribeBody = compileValidator<SubscriptionInput>(
  // expirationTime is what PushSubscription.toJSON() adds; it is accepted and not used.
  object(['endpoint', 'keys'], {
    endpoint: endpointSchema,
    expirationTime: { type: ['number', 'null'] },
    keys: object(['p256dh', 'auth'], { p256dh: keySchema(128), auth: keySchema(64) }),
  }),
);
const unsubscribeBody = compileValidator<{ endpoint: string }>(object(['endpoint'], { endpoint: endpointSchema }));
const time = { type: 'string', pattern: TIME_OF_DAY_PATTERN } as const;
const settingsBody = compileValidator<NotificationSettings>(
  object(['quietHours'], {
    quietHours: {
      oneOf: [
        { type: 'null' },
        object(['start', 'end', 'timeZone'], {
          start: time,
          end: time,
          timeZone: { type: 'string', minLength: 1, maxLength: 64 },
        }),
      ],
    },
  }),
);

/** Web Push: the VAPID key, browsers' subscriptions, and a person's quiet hours. */
export function pushRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1' });

  router.get('/push/vapid-key', async (ctx) => {
    await requireUser(ctx, deps.tokens);
    ctx.body = deps.push.vapidKey();
  });

  router.post('/push/subscriptions', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const { endpoint, keys } = body(ctx, subscribeBody);
    ctx.status = 201;
    ctx.body = await deps.push.subscribe(me.userId, { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  });

  router.delete('/push/subscriptions', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.push.unsubscribe(me.userId, body(ctx, unsubscribeBody).endpoint);
    ctx.status = 204;
  });

  router.get('/me/notification-settings', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.push.settings(me.userId);
  });

  router.put('/me/notification-settings', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.push.updateSettings(me.userId, body(ctx, settingsBody));
  });

  return router;
}
