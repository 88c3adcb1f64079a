import type { PluginContext } from '../../../sdk/index.js';
import type { AgentRow } from '../businesses/agents.js';
import type { ThreadRow } from './threads.js';

/**
 * How long the available agents of a business, as last read, stay in use. Turns change only by
 * assignments, which on this host go through takeTurn (which keeps the snapshot current); a turn
 * another host took shows as a lost compare-and-set, which drops the snapshot.
 */
const SNAPSHOT_MS = 1_000;
/** Turns lost to other hosts in a row before the conversation is left for the next message. */
const MAX_TRIES = 5;

const byTurn = (a: AgentRow, b: AgentRow) =>
  a.last_assigned_at - b.last_assigned_at || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0);

/**
 * Round-robin among a team's agents who are online (connected to any host) and available (their
 * own switch): the one assigned longest ago gets the conversation.
 *
 * Assignments of one business run one at a time on a host. Each takes the agent's turn with a
 * compare-and-set on their last assignment and assigns the conversation only if it took it (one
 * write group): a turn another host took meanwhile (the snapshot was stale) loses the
 * compare-and-set, which leaves the conversation alone, and the turns are read again, so turns go
 * round exactly across hosts too. (Recording the turn after the assignment let two hosts with stale snapshots give
 * the same agent two conversations in a row.)
 */
export class RoundRobin {
  /** Per business, the end of its latest assignment: the next one starts after it. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Per conversation, its assignment queued or running (a customer's quick messages ask twice). */
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly snapshots = new Map<string, { at: number; agents: AgentRow[] }>();

  constructor(private readonly ctx: PluginContext) {}

  /**
   * The agent who gets the conversation, or null when nobody is online (the conversation stays
   * unassigned and the next customer message tries again) or someone assigned it meanwhile.
   */
  assign(thread: ThreadRow, team: string | null): Promise<string | null> {
    // The first asker reports the assignment (or its failure); a second would only find it made,
    // after spending the next agent's turn on it.
    const asked = this.pending.get(thread.id);
    if (asked)
      return asked.then(
        () => null,
        () => null,
      );
    const chains = this.queues;
    const previous = chains.get(thread.business_id) ?? Promise.resolve();
    const taken = previous.then(() => this.takeTurn(thread, team));
    const done = taken.then(
      () => undefined,
      () => undefined,
    );
    chains.set(thread.business_id, done);
    this.pending.set(thread.id, taken);
    void done.finally(() => {
      if (chains.get(thread.business_id) === done) chains.delete(thread.business_id);
      if (this.pending.get(thread.id) === taken) this.pending.delete(thread.id);
    });
    return taken;
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

  private async takeTurn(thread: ThreadRow, team: string | null): Promise<string | null> {
    const { ctx } = this;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const candidates = (await this.availableAgents(thread.business_id))
        .filter((a) => team === null || a.team === team)
        .sort(byTurn);
      if (candidates.length === 0) return null;
      const presence = await ctx.users.presence(candidates.map((a) => a.user_id));
      const online = new Set(presence.filter((p) => p.status === 'online').map((p) => p.userId));
      const agent = candidates.find((a) => online.has(a.user_id));
      if (!agent) return null;
      const previous = agent.last_assigned_at;
      // After every turn known, not merely the agent's own: with a clock behind another host's,
      // or a second assignment within the same millisecond, the agent would still sort first.
      const turn = Math.max(Date.now(), ...candidates.map((a) => a.last_assigned_at + 1));
      const set = await this.takeAndAssign(agent, previous, turn, thread);
      if (set === null) {
        this.forgetAgents(thread.business_id);
        continue;
      }
      if (set === 0) {
        // Assigned by someone else meanwhile (another host): the turn goes back to the agent.
        await this.giveBack(agent, turn, previous);
        return null;
      }
      agent.last_assigned_at = turn;
      return agent.user_id;
    }
    ctx.log.warn('round-robin lost every turn to other hosts; the next customer message tries again', {
      business: thread.business_id,
    });
    return null;
  }

  /** Undoes a turn taken for nothing, unless it has moved on since (another host took the next). */
  private async giveBack(agent: AgentRow, turn: number, previous: number): Promise<void> {
    await this.ctx.database
      .table<AgentRow>('agents')
      .where({ business_id: agent.business_id, user_id: agent.user_id, last_assigned_at: turn })
      .update({ last_assigned_at: previous });
  }

  /**
   * The agent's turn (a compare-and-set on their last assignment) and the conversation's
   * assignee, as one write group: the assignment is made only if the turn was taken, all in one
   * statement on PostgreSQL (one round trip, where a transaction had taken four under load: BEGIN,
   * the writes, its audit entry, COMMIT). A turn lost to another host writes nothing (null);
   * otherwise the number of threads assigned (0: someone assigned it meanwhile).
   */
  private async takeAndAssign(agent: AgentRow, previous: number, turn: number, thread: ThreadRow) {
    const [took, set] = await this.ctx.database.writeTogether((group) => {
      group
        .table<AgentRow>('agents')
        .where({ business_id: agent.business_id, user_id: agent.user_id, last_assigned_at: previous })
        .update({ last_assigned_at: turn });
      group
        .table<ThreadRow>('threads')
        .where({ id: thread.id })
        .whereNull('assignee')
        .onlyIfWrote(0)
        .update({ assignee: agent.user_id, updated_at: Date.now() });
    });
    return took === 0 ? null : set!;
  }
}
