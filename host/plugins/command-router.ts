import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { CommandArgument } from '../../sdk/plugin/manifest.js';
import type { CommandReply } from '../../sdk/plugin/plugin-context.js';
import type { CommandResult } from '../../sdk/protocol/frames.js';
import type { CommandDispatch } from '../core/extension-points.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { requireMembership } from '../conversations/membership.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import { callPlugin } from './call-plugin.js';

const COMMAND_TIMEOUT_MS = 5_000;

/**
 * Slash commands typed in a conversation: "/name arguments". The plugin whose bot is in the
 * conversation and that declared the command answers; its reply goes only to the caller.
 */
@injectable()
export class CommandRouter implements CommandDispatch {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {}

  async invoke(
    userId: string,
    conversationId: string,
    text: string,
    idempotencyKey: string | null = null,
  ): Promise<CommandResult> {
    await requireMembership(this.db.knex, conversationId, userId);
    const match = /^\/([a-z][a-z0-9_-]{0,31})(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!match)
      throw new SwitchboardError('invalid_request', 'A command looks like "/name arguments".', {
        details: [{ path: '/text', message: 'is not a command' }],
      });
    const name = match[1]!;
    const rest = (match[2] ?? '').trim();
    const candidates = this.registry
      .running()
      .filter((r) => r.botUserId && r.handlers.commands.has(name))
      .sort((a, b) => a.id.localeCompare(b.id));
    let plugin = null;
    if (candidates.length > 0) {
      const present = new Set(
        (
          await this.db
            .knex('members')
            .where({ conversation_id: conversationId })
            .whereIn(
              'user_id',
              candidates.map((c) => c.botUserId!),
            )
            .select<{ user_id: string }[]>('user_id')
        ).map((r) => r.user_id),
      );
      plugin = candidates.find((c) => present.has(c.botUserId!)) ?? null;
    }
    if (!plugin) throw new SwitchboardError('command_not_found', `No plugin in this conversation answers /${name}.`);
    const spec = plugin.manifest!.contributes!.commands!.find((c) => c.name === name)!;
    const args = parseArguments(spec.arguments ?? [], rest);
    const handler = plugin.handlers.commands.get(name)!;
    // The reply is read inside the call: a getter of the plugin's that throws is its failure.
    const reply = await callPlugin(
      this.logs,
      { pluginId: plugin.id, kind: 'command', what: `/${name}`, deadlineMs: COMMAND_TIMEOUT_MS, hasCaller: true },
      async () => replyOf(await handler({ command: name, args, text: rest, conversationId, userId, idempotencyKey })),
    );
    return { plugin: plugin.id, reply };
  }
}

/** Only the text of a reply, within 8,000 characters, reaches the caller. */
export function replyOf(reply: CommandReply | null | undefined | void): CommandReply | null {
  return reply && typeof reply.text === 'string' ? { text: reply.text.slice(0, 8000) } : null;
}

function parseArguments(spec: readonly CommandArgument[], rest: string): Record<string, string | number> {
  const args: Record<string, string | number> = {};
  let remaining = rest;
  spec.forEach((arg, i) => {
    let raw: string;
    if (arg.type === 'rest') {
      raw = remaining;
      remaining = '';
    } else {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(remaining);
      raw = m?.[1] ?? '';
      remaining = m?.[2] ?? '';
    }
    if (raw === '') {
      if (arg.required)
        throw new SwitchboardError('invalid_request', `Missing argument <${arg.name}>.`, {
          details: [{ path: `/args/${i}`, message: `${arg.name} is required` }],
        });
      return;
    }
    if (arg.type === 'integer') {
      if (!/^-?\d+$/.test(raw))
        throw new SwitchboardError('invalid_request', `<${arg.name}> must be a whole number.`, {
          details: [{ path: `/args/${i}`, message: 'must be an integer' }],
        });
      args[arg.name] = Number(raw);
    } else {
      args[arg.name] = raw;
    }
  });
  return args;
}
