import type { DatabaseTransaction, PluginContext } from '../../sdk/index.js';
import { BusinessError } from './business-error.js';
import { forgetAgents } from './assignment.js';
import { customerMenu, DEFAULT_CONFIG, isOpen, type BusinessConfig } from './business-config.js';

export interface BusinessRow {
  id: string; name: string; about: string | null; verified: boolean; created_at: number; config: BusinessConfig | null;
  bot_plugin_id: string | null; bot_user_id: string | null; webhook_url: string | null; webhook_secret: string | null;
  agents_conversation_id: string | null; [c: string]: unknown;
}
export interface AgentRow {
  business_id: string; user_id: string; role: 'admin' | 'agent'; team: string | null; created_at: number; available: boolean; last_assigned_at: number; [c: string]: unknown;
}

export const configOf = (b: BusinessRow): BusinessConfig => ({ ...DEFAULT_CONFIG, ...(b.config ?? {}) });

/** What customers see: who the business is, whether it is open now, its menu, whether a bot answers first. */
export const publicProfile = (b: BusinessRow) => {
  const config = configOf(b);
  return { id: b.id, name: b.name, about: b.about, verified: b.verified, openNow: isOpen(config.hours, Date.now()), hours: config.hours, menu: customerMenu(config), hasBot: b.bot_user_id !== null };
};

/** What the business's admins see besides: the settings they can change. */
export const adminView = (b: BusinessRow) => ({
  ...publicProfile(b), awayMessage: configOf(b).awayMessage, routing: configOf(b).routing, menu: configOf(b).menu,
  bot: b.bot_plugin_id, webhookUrl: b.webhook_url, agentsConversationId: b.agents_conversation_id,
});

function text(value: unknown, field: string, max: number, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw new BusinessError('invalid_business_request', `${field} is required.`);
    return null;
  }
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) throw new BusinessError('invalid_business_request', `${field} is a string of 1 to ${max} characters.`);
  return value;
}

/** An operator registers a business and names its first admin. */
export async function createBusiness(ctx: PluginContext, body: Record<string, unknown>): Promise<BusinessRow> {
  const name = text(body.name, 'name', 100, true)!;
  const about = text(body.about, 'about', 1000, false);
  if (typeof body.ownerId !== 'string') throw new BusinessError('invalid_business_request', 'ownerId is the user id of the business\'s first admin.');
  await ctx.users.get(body.ownerId).catch(() => { throw new BusinessError('invalid_business_request', `No user ${String(body.ownerId)}.`); });
  const row: BusinessRow = {
    id: await ctx.crypto.randomId(), name, about, verified: false, created_at: Date.now(), config: DEFAULT_CONFIG,
    bot_plugin_id: null, bot_user_id: null, webhook_url: null, webhook_secret: null, agents_conversation_id: null,
  };
  await ctx.database.transaction(async (tx) => {
    await tx.table('businesses').insert(row);
    await tx.table('agents').insert({ business_id: row.id, user_id: body.ownerId as string, role: 'admin', team: null, created_at: row.created_at });
  });
  return row;
}

/** Ids here are UUIDs: anything longer or stranger names nothing (and must not reach a query as such). */
export const isId = (id: unknown): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id);

export async function business(ctx: PluginContext, id: unknown): Promise<BusinessRow> {
  const row = isId(id) ? await ctx.database.table<BusinessRow>('businesses').where({ id }).first() : null;
  if (!row) throw new BusinessError('business_not_found');
  recentOf(ctx).set(row.id, { row: Promise.resolve(row), at: Date.now() });
  return row;
}

/** Per plugin instance (two hosts in one process each have their own). */
const recentByContext = new WeakMap<PluginContext, Map<string, { row: Promise<BusinessRow>; at: number }>>();
function recentOf(ctx: PluginContext): Map<string, { row: Promise<BusinessRow>; at: number }> {
  let map = recentByContext.get(ctx);
  if (!map) recentByContext.set(ctx, (map = new Map()));
  return map;
}
/** How stale a business's settings may be on the per-message path (another host may have changed them). */
const RECENT_MS = 2_000;

/** The business as read at most RECENT_MS ago: the per-message path reads it for every customer message. */
export function recentBusiness(ctx: PluginContext, id: string): Promise<BusinessRow> {
  const hit = recentOf(ctx).get(id);
  if (hit && Date.now() - hit.at < RECENT_MS) return hit.row;
  // Callers that come while it is read share the one read.
  const read = business(ctx, id);
  recentOf(ctx).set(id, { row: read, at: Date.now() });
  read.catch(() => recentOf(ctx).delete(id));
  return read;
}

/** Writes a change to a business and returns the row as stored. */
export async function updateBusiness(ctx: PluginContext, b: BusinessRow, patch: Partial<BusinessRow>): Promise<BusinessRow> {
  await ctx.database.table<BusinessRow>('businesses').where({ id: b.id }).update(patch);
  return business(ctx, b.id);
}

/** The caller's agent row in the business, or not_an_agent (admins only when `admin`). */
export async function agentOf(ctx: PluginContext, businessId: string, userId: string, admin = false): Promise<AgentRow> {
  const row = await ctx.database.table<AgentRow>('agents').where({ business_id: businessId, user_id: userId }).first();
  if (!row) throw new BusinessError('not_an_agent');
  if (admin && row.role !== 'admin') throw new BusinessError('not_business_admin');
  return row;
}

/** Adds an agent, or changes an agent's role or team. */
export async function addAgent(ctx: PluginContext, businessId: string, body: Record<string, unknown>): Promise<{ agent: AgentRow; created: boolean }> {
  if (typeof body.userId !== 'string') throw new BusinessError('invalid_business_request', 'userId is required.');
  await ctx.users.get(body.userId).catch(() => { throw new BusinessError('invalid_business_request', `No user ${String(body.userId)}.`); });
  if (body.role !== undefined && body.role !== 'admin' && body.role !== 'agent') throw new BusinessError('invalid_business_request', 'role is admin or agent.');
  const team = text(body.team, 'team', 64, false);
  const existing = await ctx.database.table<AgentRow>('agents').where({ business_id: businessId, user_id: body.userId }).first();
  if (existing) {
    // Adding someone again changes only what the request names.
    const patch = { role: (body.role as AgentRow['role'] | undefined) ?? existing.role, team: body.team === undefined ? existing.team : team };
    await ctx.database.transaction(async (tx) => {
      if (existing.role === 'admin' && patch.role !== 'admin') await keepAnAdmin(tx, businessId, existing.user_id);
      await tx.table<AgentRow>('agents').where({ business_id: businessId, user_id: existing.user_id }).update(patch);
    });
    forgetAgents(ctx, businessId);
    return { agent: { ...existing, ...patch }, created: false };
  }
  const row: AgentRow = { business_id: businessId, user_id: body.userId, role: body.role === 'admin' ? 'admin' : 'agent', team, created_at: Date.now(), available: true, last_assigned_at: 0 };
  const inserted = await ctx.database.table('agents').insert(row, { onConflictIgnore: ['business_id', 'user_id'] });
  forgetAgents(ctx, businessId);
  const room = (await business(ctx, businessId)).agents_conversation_id;
  if (room !== null) await ctx.conversations.addMembers(room, [row.user_id]);
  return { agent: row, created: inserted.length > 0 };
}

/** An agent marks themselves available for (or away from) automatic assignment. */
export async function setAvailable(ctx: PluginContext, agent: AgentRow, available: unknown): Promise<AgentRow> {
  if (typeof available !== 'boolean') throw new BusinessError('invalid_business_request', 'available is true or false.');
  await ctx.database.table<AgentRow>('agents').where({ business_id: agent.business_id, user_id: agent.user_id }).update({ available });
  forgetAgents(ctx, agent.business_id);
  return { ...agent, available };
}

export const agentView = (a: AgentRow) => ({ userId: a.user_id, role: a.role, team: a.team, available: a.available });

export async function listAgents(ctx: PluginContext, businessId: string) {
  const rows = await ctx.database.table<AgentRow>('agents').where({ business_id: businessId }).orderBy('created_at').all();
  const presence = await ctx.users.presence(rows.map((r) => r.user_id));
  return rows.map((r, i) => ({ ...agentView(r), online: presence[i]?.status === 'online' }));
}

/**
 * A business always keeps an admin: the last one can be neither demoted nor removed. Checked in
 * the transaction that makes the change, with the admins' rows locked, so two admins demoting
 * each other at once cannot both succeed.
 */
async function keepAnAdmin(tx: DatabaseTransaction, businessId: string, leaving: string): Promise<void> {
  const admins = await tx.table<AgentRow>('agents').where({ business_id: businessId, role: 'admin' }).orderBy('user_id').forUpdate().all();
  if (!admins.some((a) => a.user_id !== leaving)) throw new BusinessError('invalid_business_request', 'A business keeps at least one admin; make another agent admin first.');
}

/** Removes an agent; their open conversations go back to the unassigned queue. */
export async function removeAgent(ctx: PluginContext, businessId: string, userId: string): Promise<boolean> {
  const agent = await ctx.database.table<AgentRow>('agents').where({ business_id: businessId, user_id: userId }).first();
  if (!agent) return false;
  await ctx.database.transaction(async (tx) => {
    if (agent.role === 'admin') await keepAnAdmin(tx, businessId, userId);
    await tx.table<AgentRow>('agents').where({ business_id: businessId, user_id: userId }).delete();
    await tx.table('threads').where({ business_id: businessId, assignee: userId }).update({ assignee: null, updated_at: Date.now() });
  });
  forgetAgents(ctx, businessId);
  const room = (await business(ctx, businessId)).agents_conversation_id;
  if (room !== null) await ctx.conversations.removeMember(room, userId).catch(() => undefined);
  return true;
}

/**
 * The agents' room: a group of the business bot and every agent, where the plugin posts inbox
 * events ("business.inbox") so agents' apps hear of them live. Made on first use.
 */
export function agentsRoom(ctx: PluginContext, b: BusinessRow): Promise<string> {
  if (b.agents_conversation_id !== null) return Promise.resolve(b.agents_conversation_id);
  // One making at a time per business on this host; the others wait for it.
  let making = roomsBeingMade.get(ctx);
  if (!making) roomsBeingMade.set(ctx, (making = new Map()));
  const pending = making.get(b.id);
  if (pending) return pending;
  const made = makeRoom(ctx, b.id).finally(() => making.delete(b.id));
  making.set(b.id, made);
  return made;
}

const roomsBeingMade = new WeakMap<PluginContext, Map<string, Promise<string>>>();

async function makeRoom(ctx: PluginContext, businessId: string): Promise<string> {
  const b = await business(ctx, businessId);
  if (b.agents_conversation_id !== null) return b.agents_conversation_id;
  const agents = await ctx.database.table<AgentRow>('agents').where({ business_id: b.id }).limit(500).all();
  const room = await ctx.conversations.createGroup(`${b.name.slice(0, 90)} agents`, agents.map((a) => a.user_id));
  await ctx.database.table<BusinessRow>('businesses').where({ id: b.id }).whereNull('agents_conversation_id').update({ agents_conversation_id: room.id });
  const stored = (await business(ctx, b.id)).agents_conversation_id!;
  // Another host made one at the same moment and stored it first: empty ours, so it does not linger.
  if (stored !== room.id) for (const a of agents) await ctx.conversations.removeMember(room.id, a.user_id).catch(() => undefined);
  return stored;
}
