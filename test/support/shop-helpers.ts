/**
 * Shared by the shop-app-*.test.ts files: the shipped shop manifest, the "payments not available"
 * reply, a shop client for one host and room, and a new user added to the shop's room.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestHost, TestUser } from './start-test-host.js';
import { repoRoot } from './e2e.js';
import { runCommand } from './plugin-helpers.js';

export const MANIFEST = join(repoRoot, 'manifests/shop.json');
export const NOT_AVAILABLE =
  'Payments are not available right now; try /checkout again later. Nothing was charged and your cart is kept.';

/** A shop client for one host and room: commands and taps over HTTP, answered only to the caller. */
export function shopper(host: TestHost, roomId: () => string) {
  return {
    async command(user: TestUser, text: string, conversationId = roomId()): Promise<string | null> {
      const res = await runCommand(host, user, conversationId, text);
      expect(res.status, `${text}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.plugin).toBe('shop');
      return res.body.reply?.text ?? null;
    },
    async tap(user: TestUser, messageId: string, buttonId: string): Promise<string> {
      const res = await host.http('POST', `/v1/conversations/${roomId()}/postbacks`, {
        token: user.token,
        body: { messageId, buttonId },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.reply.text;
    },
  };
}

/** A new user whom `owner` adds to the shop's room. */
export async function joinedShopper(host: TestHost, owner: TestUser, roomId: string): Promise<TestUser> {
  const user = await host.createUser();
  expect(
    (
      await host.http('POST', `/v1/conversations/${roomId}/members`, {
        token: owner.token,
        body: { userIds: [user.id] },
      })
    ).status,
  ).toBe(200);
  return user;
}
