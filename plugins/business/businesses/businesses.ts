import type { PluginContext } from '../../../sdk/index.js';
import { BusinessError } from '../business-error.js';
import { textField } from '../http-handling.js';
import { knownUser } from '../known-user.js';
import { customerMenu, DEFAULT_CONFIG, isOpen, type BusinessConfig } from './business-config.js';

export interface BusinessRow {
  id: string;
  name: string;
  about: string | null;
  verified: boolean;
  created_at: number;
  config: BusinessConfig | null;
  bot_plugin_id: string | null;
  bot_user_id: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  agents_conversation_id: string | null;
  [c: string]: unknown;
}

export const configOf = (b: BusinessRow): BusinessConfig => ({ ...DEFAULT_CONFIG, ...(b.config ?? {}) });

/** What customers see: who the business is, whether it is open now, its menu, whether a bot answers first. */
export const publicProfile = (b: BusinessRow) => {
  const config = configOf(b);
  return {
    id: b.id,
    name: b.name,
    about: b.about,
    verified: b.verified,
    openNow: isOpen(config.hours, Date.now()),
    hours: config.hours,
    menu: customerMenu(config),
    hasBot: b.bot_user_id !== null,
  };
};

/** What the business's admins see besides: the settings they can change. */
export const adminView = (b: BusinessRow) => ({
  ...publicProfile(b),
  awayMessage: configOf(b).awayMessage,
  routing: configOf(b).routing,
  menu: configOf(b).menu,
  bot: b.bot_plugin_id,
  webhookUrl: b.webhook_url,
  agentsConversationId: b.agents_conversation_id,
});

/** What the operator's list shows: the settings view, and when the business was registered. */
export const operatorView = (b: BusinessRow) => ({ ...adminView(b), createdAt: new Date(b.created_at).toISOString() });

/** An operator registers a business and names its first admin. */
export async function createBusiness(ctx: PluginContext, body: Record<string, unknown>): Promise<BusinessRow> {
  const name = textField(body.name, 'name', 100, true)!;
  const about = textField(body.about, 'about', 1000, false);
  if (typeof body.ownerId !== 'string')
    throw new BusinessError('invalid_business_request', "ownerId is the user id of the business's first admin.");
  await knownUser(ctx, body.ownerId);
  const row: BusinessRow = {
    id: await ctx.crypto.randomId(),
    name,
    about,
    verified: false,
    created_at: Date.now(),
    config: DEFAULT_CONFIG,
    bot_plugin_id: null,
    bot_user_id: null,
    webhook_url: null,
    webhook_secret: null,
    agents_conversation_id: null,
  };
  await ctx.database.transaction(async (tx) => {
    await tx.table('businesses').insert(row);
    await tx.table('agents').insert({
      business_id: row.id,
      user_id: body.ownerId as string,
      role: 'admin',
      team: null,
      created_at: row.created_at,
    });
  });
  return row;
}
