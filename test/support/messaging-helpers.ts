/** Shared setup for the messaging suites (test/messaging-*.test.ts). */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestHost, TestUser } from './start-test-host.js';
import type { TestClient } from './test-client.js';
import { online } from './protocol-helpers.js';

export const cardType = {
  schema: {
    type: 'object',
    required: ['title'],
    properties: { title: { type: 'string' } },
    additionalProperties: false,
  },
};

/** The host options every messaging suite starts with: a registered `test.card` type. */
export const messagingHostOptions = { messageTypes: { 'test.card': cardType } };

export const send = (c: TestClient, conversationId: string, content: object, extra: object = {}) =>
  c.request<{ message: any; duplicate: boolean }>({
    type: 'send',
    conversationId,
    clientMsgId: randomUUID(),
    content,
    ...extra,
  });
export const op = (c: TestClient, type: string, conversationId: string, messageId: string, extra: object = {}) =>
  c.request<{ message: any }>({ type, conversationId, messageId, ...extra });
export const updatesOf = (c: TestClient, messageId: string) =>
  c.frames.filter((f) => f.type === 'message.updated' && f.message.id === messageId);

/** Two fresh users in a direct conversation, both online. */
export async function pairOn(host: TestHost) {
  const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
  const conv = await host.direct(a, b);
  const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
  return { a, b, conv, ca, cb };
}

/** A conversation as `user` sees it over HTTP. */
export async function conversationOn(host: TestHost, id: string, user: TestUser) {
  const res = await host.http('GET', `/v1/conversations/${id}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

export async function historyOf(c: TestClient, conversationId: string) {
  return (await c.request<{ messages: any[] }>({ type: 'history', conversationId, limit: 100 })).messages;
}
