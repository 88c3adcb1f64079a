/** A room for misbehaving-client tests: a host, two users in a group, and what was acknowledged there. */
import { expect } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './start-test-host.js';
import type { TestClient } from './test-client.js';
import { fullHistory } from './e2e.js';

export interface Room {
  host: TestHost;
  ada: TestUser;
  bob: TestUser;
  conversationId: string;
  acked: string[];
}

export async function openRoom(config: Parameters<typeof startTestHost>[0]): Promise<Room> {
  const host = await startTestHost(config);
  const ada = await host.createUser();
  const bob = await host.createUser();
  const group = await host.createGroup(ada, [bob]);
  return { host, ada, bob, conversationId: group.id, acked: [] };
}

/** Sends a text message and records it as acknowledged. */
export async function sendAcked(room: Room, client: TestClient, text = 'hello'): Promise<any> {
  const { message } = await client.sendText(room.conversationId, text);
  room.acked.push(message.id);
  return message;
}

/** The host serves a brand-new client, and every acknowledged message is in history. */
export async function expectHostHealthy(room: Room): Promise<void> {
  const fresh = await room.host.connect(room.bob.token);
  await sendAcked(room, fresh, 'still here');
  const history = await fullHistory(room.host.url, room.bob.token, room.conversationId);
  const ids = new Set(history.map((m) => m.id));
  expect(room.acked.filter((id) => !ids.has(id))).toEqual([]);
  await fresh.close();
}
