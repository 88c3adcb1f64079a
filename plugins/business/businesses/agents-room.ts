import type { PluginContext } from '../../../sdk/index.js';
import type { AgentRow } from './agents.js';
import type { BusinessStore } from './business-store.js';
import type { BusinessRow } from './businesses.js';

/**
 * The agents' room: a group of the business bot and every agent, where the plugin posts inbox
 * events ("business.inbox") so agents' apps hear of them live. Made on first use.
 */
export class AgentsRooms {
  /** One making at a time per business on this host; the others wait for it. */
  private readonly beingMade = new Map<string, Promise<string>>();

  constructor(
    private readonly ctx: PluginContext,
    private readonly businesses: BusinessStore,
  ) {}

  of(b: BusinessRow): Promise<string> {
    if (b.agents_conversation_id !== null) return Promise.resolve(b.agents_conversation_id);
    const pending = this.beingMade.get(b.id);
    if (pending) return pending;
    const made = this.make(b.id).finally(() => this.beingMade.delete(b.id));
    this.beingMade.set(b.id, made);
    return made;
  }

  private async make(businessId: string): Promise<string> {
    const { ctx } = this;
    const b = await this.businesses.get(businessId);
    if (b.agents_conversation_id !== null) return b.agents_conversation_id;
    const agents = await ctx.database.table<AgentRow>('agents').where({ business_id: b.id }).limit(500).all();
    const room = await ctx.conversations.createGroup(
      `${b.name.slice(0, 90)} agents`,
      agents.map((a) => a.user_id),
    );
    await ctx.database
      .table<BusinessRow>('businesses')
      .where({ id: b.id })
      .whereNull('agents_conversation_id')
      .update({ agents_conversation_id: room.id });
    const stored = (await this.businesses.get(b.id)).agents_conversation_id!;
    // Another host made one at the same moment and stored it first: empty ours, so it does not linger.
    // Emptying is tidying up: a member left behind in an unused room harms nothing, so a failure is not the caller's.
    if (stored !== room.id)
      for (const a of agents) await this.ctx.conversations.removeMember(room.id, a.user_id).catch(() => undefined);
    return stored;
  }
}
