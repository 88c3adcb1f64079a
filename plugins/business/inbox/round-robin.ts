import type { PluginContext } from '../../../sdk/index.js';
import type { AgentRow } from '../businesses/agents.js';
import type { ThreadRow } from './threads.js';

/**
 * How long the available agents of a business, as last read, stay in use. Turns change only by
 * assignments, which on this host go through takeTurn (which keeps the snapshot current); a turn
 * another host took shows as a lost compare-and-set, which drops the snapshot.
 */
const SNAPSHOT_MS = 1_000;

const byTurn = (a: AgentRow, b: AgentRow) =>
  a.last_assigned_at - b.last_assigned_at || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0);
const NOBODY = { assignee: null, recorded: Promise.resolve() };

/**
 * Round-robin among a team's agents who are online (connected to any host) and available (their
 * own switch): the one assigned longest ago gets the conversation.
 *
 * Assignments of one business run one at a time on a host, so turns there are exact. The
 * conversation is assigned first (one guarded statement: the caller waits only for that), then
 * the agent's turn is recorded with a compare-and-set before the business's next assignment; a
 * lost one means another host gave the same agent a conversation in the same instant, and the
 * turns are read again.
 */
export class RoundRobin {
  /** Per business, the end of its latest assignment: the next one starts after it. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly snapshots = new Map<string, { at: number; agents: AgentRow[] }>();

  constructor(private readonly ctx: PluginContext) {}

  /**
   * The agent who gets the conversation, or null when nobody is online (the conversation stays
   * unassigned and the next customer message tries again) or someone assigned it meanwhile.
   */
  assign(thread: ThreadRow, team: string | null): Promise<string | null> {
    const chains = this.queues;
    const previous = chains.get(thread.business_id) ?? Promise.resolve();
    const taken = previous.then(() => this.takeTurn(thread, team));
    const done = taken.then(
      (t) => t.recorded,
      () => undefined,
    );
    chains.set(thread.business_id, done);
    void done.finally(() => {
      if (chains.get(thread.business_id) === done) chains.delete(thread.business_id);
    });
    return taken.then((t) => t.assignee);
  }

  /** Changes to the team (availability, agents added or removed) are seen at once on this host, within SNAPSHOT_MS on others. */
  forgetAgents(businessId: string): void {
    this.snapshots.delete(businessId);
  }

  private async availableAgents(businessId: string): Promise<AgentRow[]> {
    const hit = this.snapshots.get(businessId);
    if (hit && Date.now() - hit.at < SNAPSHOT_MS) return hit.agents;
    const agents = await this.ctx.database
      .table<AgentRow>('agents')
      .where({ business_id: businessId, available: true })
      .limit(500)
      .all();
    this.snapshots.set(businessId, { at: Date.now(), agents });
    return agents;
  }

  private async takeTurn(
    thread: ThreadRow,
    team: string | null,
  ): Promise<{ assignee: string | null; recorded: Promise<void> }> {
    const { ctx } = this;
    const candidates = (await this.availableAgents(thread.business_id))
      .filter((a) => team === null || a.team === team)
      .sort(byTurn);
    if (candidates.length === 0) return NOBODY;
    const presence = await ctx.users.presence(candidates.map((a) => a.user_id));
    const online = new Set(presence.filter((p) => p.status === 'online').map((p) => p.userId));
    const agent = candidates.find((a) => online.has(a.user_id));
    if (!agent) return NOBODY;
    const set = await ctx.database
      .table<ThreadRow>('threads')
      .where({ id: thread.id })
      .whereNull('assignee')
      .update({ assignee: agent.user_id, updated_at: Date.now() });
    if (set === 0) return NOBODY;
    const previous = agent.last_assigned_at;
    const turn = Math.max(Date.now(), previous + 1);
    agent.last_assigned_at = turn;
    const recorded = ctx.database
      .table<AgentRow>('agents')
      .where({ business_id: agent.business_id, user_id: agent.user_id, last_assigned_at: previous })
      .update({ last_assigned_at: turn })
      .then((took) => {
        if (took === 0) this.forgetAgents(thread.business_id);
      })
      .catch((err: unknown) => {
        this.forgetAgents(thread.business_id);
        ctx.log.warn("could not record an agent's turn", {
          agent: agent.user_id,
          error: String((err as Error)?.message ?? err),
        });
      });
    return { assignee: agent.user_id, recorded };
  }
}
