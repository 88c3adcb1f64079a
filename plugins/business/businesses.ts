import type { PluginContext } from '../../sdk/index.js';
import { BusinessError } from './business-error.js';

export interface BusinessRow { id: string; name: string; about: string | null; verified: boolean; created_at: number; [c: string]: unknown }
export interface AgentRow { business_id: string; user_id: string; role: 'admin' | 'agent'; team: string | null; created_at: number; [c: string]: unknown }

export const publicProfile = (b: BusinessRow) => ({ id: b.id, name: b.name, about: b.about, verified: b.verified });

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
  const row: BusinessRow = { id: await ctx.crypto.randomId(), name, about, verified: false, created_at: Date.now() };
  await ctx.database.transaction(async (tx) => {
    await tx.table('businesses').insert(row);
    await tx.table('agents').insert({ business_id: row.id, user_id: body.ownerId as string, role: 'admin', team: null, created_at: row.created_at });
  });
  return row;
}

export async function business(ctx: PluginContext, id: unknown): Promise<BusinessRow> {
  const row = typeof id === 'string' ? await ctx.database.table<BusinessRow>('businesses').where({ id }).first() : null;
  if (!row) throw new BusinessError('business_not_found');
  return row;
}

/** The caller's agent row in the business, or not_an_agent (admins only when `admin`). */
export async function agentOf(ctx: PluginContext, businessId: string, userId: string, admin = false): Promise<AgentRow> {
  const row = await ctx.database.table<AgentRow>('agents').where({ business_id: businessId, user_id: userId }).first();
  if (!row) throw new BusinessError('not_an_agent');
  if (admin && row.role !== 'admin') throw new BusinessError('not_business_admin');
  return row;
}

export async function addAgent(ctx: PluginContext, businessId: string, body: Record<string, unknown>): Promise<AgentRow> {
  if (typeof body.userId !== 'string') throw new BusinessError('invalid_business_request', 'userId is required.');
  await ctx.users.get(body.userId).catch(() => { throw new BusinessError('invalid_business_request', `No user ${String(body.userId)}.`); });
  const role = body.role === 'admin' ? 'admin' : 'agent';
  const team = text(body.team, 'team', 64, false);
  const row: AgentRow = { business_id: businessId, user_id: body.userId, role, team, created_at: Date.now() };
  const inserted = await ctx.database.table('agents').insert(row, { onConflictIgnore: ['business_id', 'user_id'] });
  if (inserted.length === 0) await ctx.database.table<AgentRow>('agents').where({ business_id: businessId, user_id: body.userId }).update({ role, team });
  return row;
}
