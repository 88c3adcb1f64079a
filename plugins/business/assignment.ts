import type { PluginContext } from '../../sdk/index.js';
import type { AgentRow } from './businesses.js';
import type { ThreadRow } from './threads.js';

const MAX_ATTEMPTS = 20;

/**
 * Round-robin among a team's agents who are online (connected to any host) and available (their
 * own switch): the one assigned longest ago gets the conversation. Taking an agent's turn is a
 * compare-and-set on their last assignment time, so two hosts assigning at once pick two agents.
 * Returns the agent given the conversation, or null when nobody is online (it stays unassigned
 * and the next customer message tries again).
 */
export function assignRoundRobin(ctx: PluginContext, thread: ThreadRow, team: string | null): Promise<string | null> {
  // One at a time per business on this host: concurrent ones would all race for the same turn.
  let chains = queues.get(ctx);
  if (!chains) queues.set(ctx, (chains = new Map()));
  const previous = chains.get(thread.business_id) ?? Promise.resolve(null);
  const next = previous.catch(() => null).then(() => takeTurn(ctx, thread, team));
  chains.set(thread.business_id, next);
  void next.catch(() => null).finally(() => { if (chains.get(thread.business_id) === next) chains.delete(thread.business_id); });
  return next;
}

class AlreadyAssigned extends Error {}

const queues = new WeakMap<PluginContext, Map<string, Promise<string | null>>>();

async function takeTurn(ctx: PluginContext, thread: ThreadRow, team: string | null): Promise<string | null> {
  const agents = () => ctx.database.table<AgentRow>('agents');
  let online: Set<string> | null = null;
  // Each lost compare-and-set means another assignment took that turn: read the turns again.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const q = agents().where({ business_id: thread.business_id, available: true });
    if (team !== null) q.where({ team });
    const candidates = await q.orderBy('last_assigned_at').orderBy('user_id').limit(500).all();
    if (candidates.length === 0) return null;
    if (online === null) {
      const presence = await ctx.users.presence(candidates.map((a) => a.user_id));
      online = new Set(presence.filter((p) => p.status === 'online').map((p) => p.userId));
    }
    const ready = candidates.filter((a) => online!.has(a.user_id));
    if (ready.length === 0) return null;
    for (const agent of ready) {
      const turn = Math.max(Date.now(), agent.last_assigned_at + 1);
      // The turn and the assignment commit together: a conversation assigned meanwhile costs nobody a turn.
      const outcome = await ctx.database.transaction(async (tx) => {
        const took = await tx.table<AgentRow>('agents').where({ business_id: agent.business_id, user_id: agent.user_id, last_assigned_at: agent.last_assigned_at }).update({ last_assigned_at: turn });
        if (took === 0) return 'lost';
        const set = await tx.table<ThreadRow>('threads').where({ id: thread.id }).whereNull('assignee').update({ assignee: agent.user_id, updated_at: Date.now() });
        if (set === 0) throw new AlreadyAssigned();
        return agent.user_id;
      }).catch((err: unknown) => { if (err instanceof AlreadyAssigned) return null; throw err; });
      if (outcome !== 'lost') return outcome;
    }
  }
  return null;
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
