/**
 * Shared calls for the payments hold and refund tests: authorize, capture, void, read and expire
 * holds, refund transfers and captured holds, and make PIN-holding users. Each takes the test
 * file's host and API through `ctx`, as they are only set once the file's `beforeAll` has run.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestHost, TestUser } from './start-test-host.js';
import { eventually } from './eventually.js';
import { PIN, type PaymentsApi } from './payments-helpers.js';

export type Res = { status: number; body: any };

/** The hold settings every hold and refund test runs with. */
export const HOLD_SETTINGS = { holds: { minExpiresInMs: 1_000, maxExpiresInMs: 86_400_000 } };

export function holdsCalls(ctx: () => { host: TestHost; api: PaymentsApi }) {
  const hold = (
    payer: TestUser,
    payee: TestUser,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    ctx().api.call(payer, 'POST', '/holds', {
      payee: payee.id,
      amountMinor,
      currency: 'EUR',
      pin: PIN,
      idempotencyKey: randomUUID(),
      ...extra,
    });
  const capture = (
    user: TestUser,
    holdId: string,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    ctx().api.call(user, 'POST', `/holds/${holdId}/capture`, { amountMinor, idempotencyKey: randomUUID(), ...extra });
  const voidHold = (user: TestUser, holdId: string, extra: Record<string, unknown> = {}): Promise<Res> =>
    ctx().api.call(user, 'POST', `/holds/${holdId}/void`, { idempotencyKey: randomUUID(), ...extra });
  const getHold = async (user: TestUser, holdId: string) => {
    const res = await ctx().api.call(user, 'GET', `/holds/${holdId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const refundTransfer = (
    user: TestUser,
    transferId: string,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    ctx().api.call(user, 'POST', `/transfers/${transferId}/refunds`, {
      amountMinor,
      idempotencyKey: randomUUID(),
      ...extra,
    });
  const refundHold = (
    user: TestUser,
    holdId: string,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    ctx().api.call(user, 'POST', `/holds/${holdId}/refunds`, { amountMinor, idempotencyKey: randomUUID(), ...extra });
  const expireNow = (holdId?: string): Promise<Res> =>
    ctx().api.call('admin', 'POST', '/admin/holds/expire', holdId === undefined ? {} : { holdId });

  async function person(fundsMinor = 0): Promise<TestUser> {
    const { host, api } = ctx();
    const user = await host.createUser();
    await api.setPin(user);
    if (fundsMinor > 0) expect((await api.topUp(user, fundsMinor)).status).toBe(201);
    return user;
  }

  async function openHold(payer: TestUser, payee: TestUser, amountMinor: number, extra: Record<string, unknown> = {}) {
    const res = await hold(payer, payee, amountMinor, extra);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function waitForStatus(user: TestUser, holdId: string, status: string, timeoutMs = 15_000) {
    return eventually(
      async () => {
        const h = await getHold(user, holdId);
        return h.status === status && h;
      },
      { timeoutMs, intervalMs: 100, what: `hold ${holdId} to be ${status}` },
    );
  }

  return { hold, capture, voidHold, getHold, refundTransfer, refundHold, expireNow, person, openHold, waitForStatus };
}
