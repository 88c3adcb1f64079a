import { inject, injectable } from 'tsyringe';
import { appRestarting } from '../../sdk/errors/app-restarting.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { CommandArgument, CommandContribution, PluginManifest } from '../../sdk/plugin/manifest.js';
import type { CommandReply } from '../../sdk/plugin/plugin-context.js';
import type { CommandListing, CommandResult } from '../../sdk/protocol/frames.js';
import type { CommandDispatch } from '../core/extension-points.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { requireMembership } from '../conversations/membership.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import type { PluginRecord } from './plugin-record.js';
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
    const [plugin] = await this.answering(conversationId, (r) => r.handlers.commands.has(name));
    if (!plugin) {
      const declared = (m: PluginManifest) => m.contributes?.commands?.some((c) => c.name === name) === true;
      const [back] = await this.present(conversationId, this.registry.restarting(declared));
      if (back) throw appRestarting(back.id);
      throw new SwitchboardError('command_not_found', `No plugin in this conversation answers /${name}.`);
    }
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

  /** Exactly the commands `invoke` would run here: per name, the one the lowest plugin id answers. */
  async list(userId: string, conversationId: string): Promise<CommandListing[]> {
    await requireMembership(this.db.knex, conversationId, userId);
    const listings = new Map<string, CommandListing>();
    for (const plugin of await this.answering(conversationId, (r) => r.handlers.commands.size > 0)) {
      for (const spec of plugin.manifest!.contributes?.commands ?? []) {
        if (plugin.handlers.commands.has(spec.name) && !listings.has(spec.name))
          listings.set(spec.name, toListing(plugin.id, spec));
      }
    }
    return [...listings.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Running plugins that pass `answers` and whose bot is a member of the conversation, by plugin id. */
  private answering(conversationId: string, answers: (r: PluginRecord) => boolean): Promise<PluginRecord[]> {
    return this.present(conversationId, this.registry.running().filter(answers));
  }

  /** Of `plugins`, those whose bot is a member of the conversation, by plugin id. */
  private async present(conversationId: string, plugins: PluginRecord[]): Promise<PluginRecord[]> {
    const candidates = plugins.filter((r) => r.botUserId);
    if (candidates.length === 0) return [];
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
    return candidates.filter((c) => present.has(c.botUserId!)).sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** A declared command as the caller sees it, with its usage line, e.g. "/pay <amount> <to> [note]". */
function toListing(pluginId: string, spec: CommandContribution): CommandListing {
  const args = (spec.arguments ?? []).map((a) => ({
    name: a.name,
    required: a.required === true,
    ...(a.description !== undefined ? { description: a.description } : {}),
    type: a.type ?? 'string',
  }));
  const usage = [`/${spec.name}`, ...args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`))].join(' ');
  return { plugin: pluginId, name: spec.name, description: spec.description, usage, args };
}

/**
 * Only the text of a reply, within 8,000 characters, reaches the caller, as well-formed Unicode
 * without NUL, the rule every string a client sends keeps: a lone surrogate or NUL (or a pair the
 * cut split) becomes U+FFFD.
 */
export function replyOf(reply: CommandReply | null | undefined | void): CommandReply | null {
  if (!reply || typeof reply.text !== 'string') return null;
  return { text: reply.text.slice(0, 8000).toWellFormed().replaceAll('\u0000', '\uFFFD') };
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
