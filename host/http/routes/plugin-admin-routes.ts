import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { PluginRecord } from '../../plugins/plugin-record.js';
import { intQuery, requireAdmin } from '../request-context.js';
import type { RouteDeps } from './route-deps.js';

/** Operators: plugin status, runtime enable/disable, per-plugin logs, app health, and the audit log. */
export function pluginAdminRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1/admin' });
  router.use(async (ctx, next) => {
    requireAdmin(ctx, deps.adminToken);
    await next();
  });
  const { kernel, registry, logs, audit, sandbox } = deps.plugins;

  router.get('/plugins', (ctx) => {
    ctx.body = { plugins: registry.all().map(describe) };
  });
  router.post('/plugins/:id/enable', async (ctx) => {
    ctx.body = describe(await kernel.enable(ctx.params.id!));
  });
  router.post('/plugins/:id/disable', async (ctx) => {
    ctx.body = describe(await kernel.disable(ctx.params.id!));
  });
  router.delete('/plugins/:id', async (ctx) => {
    const purge = ctx.query.purge === 'true';
    const { plugin, purged } = await kernel.uninstall(ctx.params.id!, purge);
    ctx.body = { ...describe(plugin), purged };
  });
  router.get('/plugins/:id/logs', (ctx) => {
    const record = registry.get(ctx.params.id!);
    if (!record)
      throw new SwitchboardError('plugin_not_found', `No plugin "${ctx.params.id}" is configured on this host.`);
    ctx.body = { entries: logs.entries(record.id, intQuery(ctx, 'limit', { min: 1, max: 500 }) ?? 100) };
  });
  router.get('/apps', async (ctx) => {
    ctx.body = { apps: await sandbox.appHealth() };
  });
  router.get('/apps/:id', async (ctx) => {
    const app = (await sandbox.appHealth()).find((a) => a.id === ctx.params.id);
    if (!app)
      throw new SwitchboardError('plugin_not_found', `No sandboxed app "${ctx.params.id}" has run on this host.`);
    ctx.body = app;
  });
  router.get('/audit', async (ctx) => {
    const pluginId = typeof ctx.query.pluginId === 'string' ? ctx.query.pluginId : undefined;
    ctx.body = {
      entries: await audit.query({
        ...(pluginId ? { pluginId } : {}),
        ...(ctx.query.before !== undefined
          ? { before: intQuery(ctx, 'before', { min: 1, max: Number.MAX_SAFE_INTEGER })! }
          : {}),
        limit: intQuery(ctx, 'limit', { min: 1, max: 1000 }) ?? 100,
      }),
    };
  });
  return router;
}

function describe(r: PluginRecord) {
  return {
    id: r.id,
    name: r.manifest?.name ?? null,
    version: r.manifest?.version ?? null,
    status: r.status,
    botUserId: r.botUserId,
    granted: [...r.granted.keys()],
    refused: [...r.refused],
    error: r.error,
  };
}
