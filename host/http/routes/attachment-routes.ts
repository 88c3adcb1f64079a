import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { tooLarge } from '../../attachments/attachment-service.js';
import { requestSource } from '../../attachments/upload-body.js';
import { requireUser } from '../request-context.js';
import { idParam } from './auth-routes.js';
import { serveFile } from './file-response.js';
import { uploadRoute } from './upload-route.js';
import type { RouteDeps } from './route-deps.js';

/**
 * Uploads, their metadata and their bytes. Mounted before the JSON body parser: an upload's body
 * is the file itself, read here under `attachments.maxBytes` rather than the JSON body limit.
 */
export function attachmentRoutes(deps: RouteDeps): Router {
  const router = new Router();

  router.post(
    '/v1/attachments',
    uploadRoute(deps, 'upload_user', async (ctx, userId) => {
      const name = ctx.query.name;
      if (typeof name !== 'string') {
        throw new SwitchboardError('invalid_request', 'Give the file name as ?name=.', {
          details: [{ path: '/query/name', message: 'is required' }],
        });
      }
      // Not body(): the service reads the body as it stores it, not whole into memory first.
      const { maxBytes } = deps.config.attachments;
      const source = requestSource(ctx.req, maxBytes, () => tooLarge(maxBytes));
      const declaredType = ctx.get('content-type') || undefined;
      ctx.body = await deps.attachments.uploadStream(userId, { source, name, declaredType });
      ctx.status = 201;
    }),
  );

  router.get('/v1/attachments/:id', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.attachments.get(me.userId, idParam(ctx.params.id));
  });

  // No Authorization header: the signed query is the credential, so `<img src>` works.
  router.get('/v1/files/:id', async (ctx) => {
    const { file, secondsLeft } = await deps.attachments.fileByUrl(idParam(ctx.params.id), ctx.query);
    await serveFile(ctx, file, secondsLeft, deps.attachments);
  });

  return router;
}
