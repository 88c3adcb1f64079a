import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { PluginInfo } from '../../../sdk/protocol/admin.js';
import type { PluginRecord } from '../../plugins/plugin-record.js';
import { visibleSettings } from '../../plugins/plugin-settings-view.js';
import { compileValidator } from '../../validation/validator.js';
import { intQuery, requireAdmin } from '../request-context.js';
import type { RouteDeps } from './route-deps.js';

/** An empty one filters nothing, as before these were checked. */
const auditName = { type: 'string', maxLength: 64 };
/** Wrapped in `query`, so that errors name their parameter as /query/action, as intQuery's do. */
const auditQuery = compileValidator<{ query: { pluginId?: string; capability?: string; action?: string } }>({
  type: 'object',
  properties: {
    query: {
      type: 'object',
      properties: { pluginId: auditName, capability: auditName, action: auditName },
    },
  },
});

/** Operators: plugin status, runtime enable/disable, per-plugin logs and settings, app health, and the audit log. */
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
  const configured = (id: string) => {
    const record = registry.get(id);
    if (!record) throw new SwitchboardError('plugin_not_found', `No plugin "${id}" is configured on this host.`);
    return record;
  };
  router.get('/plugins/:id/logs', (ctx) => {
    const record = configured(ctx.params.id!);
    ctx.body = { entries: logs.entries(record.id, intQuery(ctx, 'limit', { min: 1, max: 500 }) ?? 100) };
  });
  router.get('/plugins/:id/settings', (ctx) => {
    const record = configured(ctx.params.id!);
    ctx.body = { settings: visibleSettings(record.manifest?.contributes?.settings, record.settings) };
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
    // Other parameters are ignored, as everywhere; a repeated one is not a string and is refused.
    const { pluginId, capability, action } = auditQuery({ query: { ...ctx.query } }).query;
    ctx.body = {
      entries: await audit.query({
        ...(pluginId ? { pluginId } : {}),
        ...(capability ? { capability } : {}),
        ...(action ? { action } : {}),
        ...(ctx.query.before !== undefined
          ? { before: intQuery(ctx, 'before', { min: 1, max: Number.MAX_SAFE_INTEGER })! }
          : {}),
        limit: intQuery(ctx, 'limit', { min: 1, max: 1000 }) ?? 100,
      }),
    };
  });
  return router;
}

function describe(r: PluginRecord): PluginInfo {
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
