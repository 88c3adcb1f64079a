/**
 * What every test host offers over its HTTP API, whether it runs in this process
 * (start-test-host.ts) or as a child process (cluster-hosts.ts): requests with the admin token or a
 * user's, and the users and conversations most tests start from.
 */
import type { HttpResult, TestHost, TestUser } from './start-test-host.js';

export type HostApi = Pick<TestHost, 'http' | 'createUser' | 'createGroup' | 'direct'>;

let userCounter = 0;

/** `baseUrl` is read at each request (a restarted host may move). */
export function hostApi(baseUrl: () => string, adminToken: string | undefined): HostApi {
  const http: TestHost['http'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === 'admin' ? adminToken : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined = opts.rawBody;
    if (body === undefined && opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl()}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* leave as text */
    }
    return { status: res.status, body: parsed as any, headers: res.headers } satisfies HttpResult;
  };
  return {
    http,
    async createUser(opts = {}): Promise<TestUser> {
      const n = ++userCounter;
      const handle = opts.handle ?? `user${process.pid}_${n}_${Math.floor(Math.random() * 1e6)}`;
      const password = opts.password ?? `password-${n}-secret`;
      const created = await http('POST', '/v1/admin/users', {
        token: 'admin',
        body: { handle, displayName: opts.displayName ?? `User ${n}`, password },
      });
      if (created.status !== 201)
        throw new Error(`createUser failed: ${created.status} ${JSON.stringify(created.body)}`);
      const login = await http('POST', '/v1/auth/login', { body: { handle, password } });
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
      const user = created.body as { id: string; handle: string; displayName: string };
      return { id: user.id, handle: user.handle, displayName: user.displayName, token: login.body.token, password };
    },
    async createGroup(owner, members, title = 'Test group') {
      const res = await http('POST', '/v1/conversations', {
        token: owner.token,
        body: { title, memberIds: members.map((m) => m.id) },
      });
      if (res.status !== 201) throw new Error(`createGroup failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async direct(a, b) {
      const res = await http('POST', '/v1/conversations/direct', { token: a.token, body: { userId: b.id } });
      if (res.status !== 200) throw new Error(`direct failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
  };
}
