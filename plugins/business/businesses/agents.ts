import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { textField } from '../http-handling.js';
import { knownUser } from '../known-user.js';

export interface AgentRow {
  business_id: string;
  user_id: string;
  role: 'admin' | 'agent';
  team: string | null;
  created_at: number;
  available: boolean;
  last_assigned_at: number;
  [c: string]: unknown;
}

/** The caller's agent row in the business, or not_an_agent (admins only when `admin`). */
export async function agentOf(
  ctx: PluginContext,
  businessId: string,
  userId: string,
  admin = false,
): Promise<AgentRow> {
  const row = await ctx.database.table<AgentRow>('agents').where({ business_id: businessId, user_id: userId }).first();
  if (!row) throw new BusinessError('not_an_agent');
  if (admin && row.role !== 'admin') throw new BusinessError('not_business_admin');
  return row;
}

/** Adds an agent, or changes an agent's role or team. */
export async function addAgent(
  app: BusinessApp,
  businessId: string,
  body: Record<string, unknown>,
): Promise<{ agent: AgentRow; created: boolean }> {
  const { ctx } = app;
  if (typeof body.userId !== 'string') throw new BusinessError('invalid_business_request', 'userId is required.');
  await knownUser(ctx, body.userId);
  if (body.role !== undefined && body.role !== 'admin' && body.role !== 'agent')
    throw new BusinessError('invalid_business_request', 'role is admin or agent.');
  const team = textField(body.team, 'team', 64, false);
  const existing = await ctx.database
    .table<AgentRow>('agents')
    .where({ business_id: businessId, user_id: body.userId })
    .first();
  if (existing) {
    // Adding someone again changes only what the request names.
    const patch = { role: body.role ?? existing.role, team: body.team === undefined ? existing.team : team };
    await ctx.database.transaction(async (tx) => {
      if (existing.role === 'admin' && patch.role !== 'admin') await keepAnAdmin(tx, businessId, existing.user_id);
      await tx.table<AgentRow>('agents').where({ business_id: businessId, user_id: existing.user_id }).update(patch);
    });
    app.roundRobin.forgetAgents(businessId);
    return { agent: { ...existing, ...patch }, created: false };
  }
  const row: AgentRow = {
    business_id: businessId,
    user_id: body.userId,
    role: body.role === 'admin' ? 'admin' : 'agent',
    team,
    created_at: Date.now(),
    available: true,
    last_assigned_at: 0,
  };
  const inserted = await ctx.database.table('agents').insert(row, { onConflictIgnore: ['business_id', 'user_id'] });
  app.roundRobin.forgetAgents(businessId);
  const room = (await app.businesses.get(businessId)).agents_conversation_id;
  if (room !== null) await ctx.conversations.addMembers(room, [row.user_id]);
  return { agent: row, created: inserted.length > 0 };
}

/** An agent marks themselves available for (or away from) automatic assignment. */
export async function setAvailable(app: BusinessApp, agent: AgentRow, available: unknown): Promise<AgentRow> {
  if (typeof available !== 'boolean')
    throw new BusinessError('invalid_business_request', 'available is true or false.');
  await app.ctx.database
    .table<AgentRow>('agents')
    .where({ business_id: agent.business_id, user_id: agent.user_id })
    .update({ available });
  app.roundRobin.forgetAgents(agent.business_id);
  return { ...agent, available };
}

export const agentView = (a: AgentRow) => ({ userId: a.user_id, role: a.role, team: a.team, available: a.available });

export async function listAgents(ctx: PluginContext, businessId: string) {
  const rows = await ctx.database
    .table<AgentRow>('agents')
    .where({ business_id: businessId })
    .orderBy('created_at')
    .all();
  const presence = await ctx.users.presence(rows.map((r) => r.user_id));
  return rows.map((r, i) => ({ ...agentView(r), online: presence[i]?.status === 'online' }));
}

/**
 * A business always keeps an admin: the last one can be neither demoted nor removed. Checked in
 * the transaction that makes the change, with the admins' rows locked, so two admins demoting
 * each other at once cannot both succeed.
 */
async function keepAnAdmin(tx: DatabaseTransaction, businessId: string, leaving: string): Promise<void> {
  const admins = await tx
    .table<AgentRow>('agents')
    .where({ business_id: businessId, role: 'admin' })
    .orderBy('user_id')
    .forUpdate()
    .all();
  if (!admins.some((a) => a.user_id !== leaving))
    throw new BusinessError(
      'invalid_business_request',
      'A business keeps at least one admin; make another agent admin first.',
    );
}

/** Removes an agent; their open conversations go back to the unassigned queue. */
export async function removeAgent(app: BusinessApp, businessId: string, userId: string): Promise<boolean> {
  const { ctx } = app;
  const agent = await ctx.database
    .table<AgentRow>('agents')
    .where({ business_id: businessId, user_id: userId })
    .first();
  if (!agent) return false;
  await ctx.database.transaction(async (tx) => {
    if (agent.role === 'admin') await keepAnAdmin(tx, businessId, userId);
    await tx.table<AgentRow>('agents').where({ business_id: businessId, user_id: userId }).delete();
    await tx
      .table('threads')
      .where({ business_id: businessId, assignee: userId })
      .update({ assignee: null, updated_at: Date.now() });
  });
  app.roundRobin.forgetAgents(businessId);
  const room = (await app.businesses.get(businessId)).agents_conversation_id;
  // The agent is removed already; a room they had left (or that is gone) changes nothing about that.
  if (room !== null) await ctx.conversations.removeMember(room, userId).catch(() => undefined);
  return true;
}

/** The businesses a user is an agent of (admins included), by name, with their role in each. */
export async function businessesOfAgent(ctx: PluginContext, userId: string) {
  const rows = await ctx.database.table<AgentRow>('agents').where({ user_id: userId }).all();
  if (rows.length === 0) return [];
  const roles = new Map(rows.map((r) => [r.business_id, r.role]));
  const businesses = await ctx.database
    .table<{ id: string; name: string; [c: string]: unknown }>('businesses')
    .whereIn('id', [...roles.keys()])
    .orderBy('name')
    .all();
  return businesses.map((b) => ({ id: b.id, name: b.name, role: roles.get(b.id)! }));
}
