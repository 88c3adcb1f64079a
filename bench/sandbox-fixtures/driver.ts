/**
 * The benchmark's driver: a trusted plugin whose capability object the benchmark uses to send
 * events to the app (service calls), exactly as another plugin would.
 */
import { definePlugin, type PluginContext } from '../../sdk/index.js';

export default definePlugin({
  start(ctx: PluginContext) {
    (globalThis as { __sandboxBenchDriver?: PluginContext }).__sandboxBenchDriver = ctx;
  },
});
