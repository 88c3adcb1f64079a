import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { MessageContent } from '../../sdk/protocol/message.js';
import type { HookContribution } from '../../sdk/plugin/manifest.js';
import type { BeforeStoreMessage, HookDecision } from '../../sdk/plugin/plugin-context.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import { callPlugin } from './call-plugin.js';
import { deepFreeze } from './deep-freeze.js';
import type { BeforeStoreHooks } from '../core/extension-points.js';

const DEFAULT_HOOK_TIMEOUT_MS = 200;

/**
 * Runs the before-store hooks of running plugins, in (order, plugin id) order, each within its
 * time budget. A plugin's hook never sees its own bot's messages. Returns the content to store,
 * or throws message_rejected.
 */
@injectable()
export class HookChain implements BeforeStoreHooks {
  constructor(
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {}

  get active(): boolean {
    for (const r of this.registry.all()) if (r.status === 'running' && r.handlers.beforeStore !== null) return true;
    return false;
  }

  async run(message: BeforeStoreMessage): Promise<MessageContent> {
    const hooks = this.registry
      .running()
      .filter((r) => r.handlers.beforeStore !== null && r.botUserId !== message.senderId)
      .map((r) => ({
        record: r,
        spec: r.manifest!.contributes!.hooks!.find((h) => h.point === 'message.beforeStore') as HookContribution,
      }));
    if (hooks.length > 1)
      hooks.sort((a, b) => (a.spec.order ?? 0) - (b.spec.order ?? 0) || a.record.id.localeCompare(b.record.id));
    let content = message.content;
    for (const { record, spec } of hooks) {
      const handler = record.handlers.beforeStore;
      if (!handler) continue;
      let decision: HookDecision;
      try {
        // Frozen, not copied: the hook can read but not change what the host goes on to store.
        const input = deepFreeze({ ...message, content });
        // No caller waits on a hook's throw: whatever it throws is its failure, and failMode decides.
        decision = checkDecision(
          await callPlugin(
            this.logs,
            {
              pluginId: record.id,
              kind: 'hook',
              what: `beforeStore hook (fail-${spec.failMode})`,
              deadlineMs: spec.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
              hasCaller: false,
            },
            () => handler(input),
          ),
        );
      } catch (err) {
        // A reply that is not a decision (checkDecision) is the hook's failure too.
        if (!(err instanceof SwitchboardError))
          this.logs.recordFailure(record.id, `beforeStore hook (fail-${spec.failMode}) failed`, err);
        if (spec.failMode === 'closed') {
          throw new SwitchboardError('message_rejected', `The plugin ${record.id} could not check this message.`);
        }
        continue;
      }
      if (decision.action === 'reject') {
        throw new SwitchboardError('message_rejected', `${record.id}: ${String(decision.reason).slice(0, 500)}`);
      }
      if (decision.action === 'modify') content = decision.content;
    }
    return content;
  }
}

function checkDecision(decision: unknown): HookDecision {
  const d = decision as HookDecision | undefined;
  if (d?.action === 'allow' || (d?.action === 'reject' && typeof d.reason === 'string')) return d;
  if (
    d?.action === 'modify' &&
    typeof d.content === 'object' &&
    d.content !== null &&
    typeof d.content.type === 'string'
  ) {
    return { action: 'modify', content: structuredClone(d.content) };
  }
  throw new Error(`the hook returned ${JSON.stringify(decision)?.slice(0, 200)}, not {action: allow|modify|reject}`);
}
