import type { PluginContext } from '../../../sdk/index.js';
import { BusinessError } from '../business-error.js';

interface CannedRow {
  id: string;
  business_id: string;
  shortcode: string;
  text: string;
  created_at: number;
  [c: string]: unknown;
}

/** What a canned response may say about the conversation it is sent in. */
export const PLACEHOLDERS = ['customer.name', 'customer.handle', 'agent.name', 'business.name'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SHORTCODE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const view = (c: CannedRow) => ({ cannedId: c.id, shortcode: c.shortcode, text: c.text });

/** Saves a canned response; placeholders are checked now, so a typo fails here and not in front of a customer. */
export async function createCanned(ctx: PluginContext, businessId: string, body: Record<string, unknown>) {
  if (typeof body.shortcode !== 'string' || !SHORTCODE.test(body.shortcode))
    throw new BusinessError('invalid_business_request', 'shortcode is 1-32 characters: a-z, 0-9, _ and -.');
  if (typeof body.text !== 'string' || body.text.length === 0 || body.text.length > 4000)
    throw new BusinessError('invalid_business_request', 'text is 1 to 4000 characters.');
  for (const [, name] of body.text.matchAll(PLACEHOLDER)) {
    if (!PLACEHOLDERS.includes(name as Placeholder))
      throw new BusinessError(
        'invalid_business_request',
        `Unknown placeholder {{${name}}}; use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
      );
  }
  const row: CannedRow = {
    id: await ctx.crypto.randomId(),
    business_id: businessId,
    shortcode: body.shortcode,
    text: body.text,
    created_at: Date.now(),
  };
  const inserted = await ctx.database
    .table<CannedRow>('canned_responses')
    .insert(row, { onConflictIgnore: ['business_id', 'shortcode'] });
  if (inserted.length === 0)
    throw new BusinessError(
      'invalid_business_request',
      `A canned response /${body.shortcode} exists; delete it first.`,
    );
  return view(row);
}

export async function listCanned(ctx: PluginContext, businessId: string) {
  return (
    await ctx.database
      .table<CannedRow>('canned_responses')
      .where({ business_id: businessId })
      .orderBy('shortcode')
      .all()
  ).map(view);
}

export async function deleteCanned(ctx: PluginContext, businessId: string, shortcode: string): Promise<boolean> {
  return (
    (await ctx.database.table<CannedRow>('canned_responses').where({ business_id: businessId, shortcode }).delete()) > 0
  );
}

/** The text of a canned response with its placeholders filled in. */
export async function renderCanned(
  ctx: PluginContext,
  businessId: string,
  shortcode: unknown,
  values: Record<Placeholder, string>,
): Promise<string> {
  const row =
    typeof shortcode === 'string'
      ? await ctx.database.table<CannedRow>('canned_responses').where({ business_id: businessId, shortcode }).first()
      : null;
  if (!row)
    throw new BusinessError('invalid_business_request', `No canned response /${String(shortcode).slice(0, 32)}.`);
  return row.text.replace(PLACEHOLDER, (_, name: string) => values[name as Placeholder] ?? '');
}
