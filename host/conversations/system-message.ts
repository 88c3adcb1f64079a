import type { WriteContext } from './conversation-writer.js';

/** Appends a system message (a `system.*` content type with a JSON body) within a conversation write. */
export async function appendSystemMessage(
  ctx: WriteContext,
  conversationId: string,
  senderId: string,
  type: string,
  body: object,
): Promise<void> {
  await ctx.appendMessage({ conversationId, senderId, contentType: type, content: JSON.stringify(body) });
}
