/**
 * `GET /businesses?mine=1`: how an agent's app learns which businesses it may open the inbox of.
 * Only the caller's own businesses, with their role in each; nobody else's, and no public list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessApi, startBusinessHost } from './support/business-helpers.js';
import type { TestHost } from './support/start-test-host.js';

describe('business chat: my businesses', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startBusinessHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('lists the businesses the caller is an agent of, by name, with the role, and refuses a bare list', async () => {
    const api = businessApi(host);
    const [owner, agent, stranger] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const shoes = await api.createBusiness(owner, 'Shoes Ltd');
    const apples = await api.createBusiness(owner, 'Apples Inc');
    await api.createBusiness(stranger, 'Elsewhere');
    await api.addAgent(owner, shoes, agent);

    expect((await api.call(owner, 'GET', '/businesses?mine=1')).body).toEqual({
      businesses: [
        { id: apples, name: 'Apples Inc', role: 'admin' },
        { id: shoes, name: 'Shoes Ltd', role: 'admin' },
      ],
    });
    expect((await api.call(agent, 'GET', '/businesses?mine=1')).body).toEqual({
      businesses: [{ id: shoes, name: 'Shoes Ltd', role: 'agent' }],
    });
    const none = await host.createUser();
    expect((await api.call(none, 'GET', '/businesses?mine=1')).body).toEqual({ businesses: [] });

    const bare = await api.call(agent, 'GET', '/businesses');
    expect(bare.status).toBe(400);
    expect(bare.body.error).toMatchObject({ code: 'invalid_business_request' });
    expect((await api.call(null, 'GET', '/businesses?mine=1')).status).toBe(401);
  });
});
