import type { PluginContext } from '../../sdk/index.js';
import type { AgentRow } from './businesses.js';
import type { ThreadRow } from './threads.js';

/**
 * Round-robin among a team's agents who are online (connected to any host) and available (their
 * own switch): the one assigned longest ago gets the conversation. Returns that agent, or null
 * when nobody is online (the conversation stays unassigned and the next customer message tries
 * again) or someone assigned it meanwhile.
 *
 * Assignments of one business run one at a time on a host, so turns there are exact. The
 * conversation is assigned first (one guarded statement: the caller waits only for that), then
 * the agent's turn is recorded with a compare-and-set before the business's next assignment; a
 * lost one means another host gave the same agent a conversation in the same instant, and the
 * turns are read again.
 */
export function assignRoundRobin(ctx: PluginContext, thread: ThreadRow, team: string | null): Promise<string | null> {
  let chains = queues.get(ctx);
  if (!chains) queues.set(ctx, (chains = new Map()));
  const previous = chains.get(thread.business_id) ?? Promise.resolve();
  const taken = previous.then(() => takeTurn(ctx, thread, team));
  const done = taken.then((t) => t.recorded, () => undefined);
  chains.set(thread.business_id, done);
  void done.finally(() => { if (chains.get(thread.business_id) === done) chains.delete(thread.business_id); });
  return taken.then((t) => t.assignee);
}

const queues = new WeakMap<PluginContext, Map<string, Promise<void>>>();

/**
 * Each business's available agents as last read, at most SNAPSHOT_MS old. Turns change only by
 * assignments, which on this host go through takeTurn (which keeps the snapshot current); a turn
 * another host took shows as a lost compare-and-set, which drops the snapshot.
 */
const snapshots = new WeakMap<PluginContext, Map<string, { at: number; agents: AgentRow[] }>>();
const SNAPSHOT_MS = 1_000;

async function availableAgents(ctx: PluginContext, businessId: string): Promise<AgentRow[]> {
  let byBusiness = snapshots.get(ctx);
  if (!byBusiness) snapshots.set(ctx, (byBusiness = new Map()));
  const hit = byBusiness.get(businessId);
  if (hit && Date.now() - hit.at < SNAPSHOT_MS) return hit.agents;
  const agents = await ctx.database.table<AgentRow>('agents').where({ business_id: businessId, available: true }).limit(500).all();
  byBusiness.set(businessId, { at: Date.now(), agents });
  return agents;
}

/** Changes to the team (availability, agents added or removed) are seen at once on this host, within SNAPSHOT_MS on others. */
export function forgetAgents(ctx: PluginContext, businessId: string): void {
  snapshots.get(ctx)?.delete(businessId);
}

const byTurn = (a: AgentRow, b: AgentRow) => a.last_assigned_at - b.last_assigned_at || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0);
const NOBODY = { assignee: null, recorded: Promise.resolve() };

async function takeTurn(ctx: PluginContext, thread: ThreadRow, team: string | null): Promise<{ assignee: string | null; recorded: Promise<void> }> {
  const candidates = (await availableAgents(ctx, thread.business_id)).filter((a) => team === null || a.team === team).sort(byTurn);
  if (candidates.length === 0) return NOBODY;
  const presence = await ctx.users.presence(candidates.map((a) => a.user_id));
  const online = new Set(presence.filter((p) => p.status === 'online').map((p) => p.userId));
  const agent = candidates.find((a) => online.has(a.user_id));
  if (!agent) return NOBODY;
  const set = await ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).whereNull('assignee').update({ assignee: agent.user_id, updated_at: Date.now() });
  if (set === 0) return NOBODY;
  const previous = agent.last_assigned_at;
  const turn = Math.max(Date.now(), previous + 1);
  agent.last_assigned_at = turn;
  const recorded = ctx.database.table<AgentRow>('agents').where({ business_id: agent.business_id, user_id: agent.user_id, last_assigned_at: previous }).update({ last_assigned_at: turn })
    .then((took) => { if (took === 0) forgetAgents(ctx, thread.business_id); })
    .catch((err: unknown) => {
      forgetAgents(ctx, thread.business_id);
      ctx.log.warn('could not record an agent\'s turn', { agent: agent.user_id, error: String((err as Error)?.message ?? err) });
    });
  return { assignee: agent.user_id, recorded };
}

/** Recent durations (ms) with when they ended, for the operator's stats: p50 and p99 of the last 10,000. */
export class Durations {
  private readonly samples: { at: number; ms: number }[] = [];
  private next = 0;
  private count = 0;

  add(ms: number): void {
    const sample = { at: Date.now(), ms };
    if (this.samples.length < 10_000) this.samples.push(sample);
    else this.samples[this.next] = sample;
    this.next = (this.next + 1) % 10_000;
    this.count++;
  }

  /** Of the kept samples that ended at or after `since` (epoch ms), or all of them. */
  summary(since = 0): { count: number; samples: number; p50Ms: number | null; p99Ms: number | null } {
    const sorted = this.samples.filter((s) => s.at >= since).map((s) => s.ms).sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100);
    return { count: this.count, samples: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}
