/**
 * `npm start` under a process manager: SIGTERM or SIGINT sent to the npm process (what a container
 * runtime, systemd, a supervisor or `timeout` sends) reaches the host, which stops gracefully and
 * frees its port; if npm itself is killed outright, the host notices and stops too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { descendants, processAlive } from './support/child-host.js';
import { eventually } from './support/eventually.js';
import { httpJson, isListening, repoRoot, writeConfig } from './support/e2e.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const databases: TestDatabase[] = [];
const started: { npm: ChildProcess; hostPid: number }[] = [];

afterEach(() => {
  for (const { npm, hostPid } of started.splice(0)) {
    if (processAlive(hostPid)) process.kill(hostPid, 'SIGKILL');
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
  }
});
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

/** `npm start -- --config FILE` on a random port; resolves once the host listens. */
async function npmStart() {
  const db = await createTestDatabase();
  databases.push(db);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-npm-'));
  const file = writeConfig({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: db.url, schema: db.schema },
    dataDir: join(dir, 'data'),
    auth: { adminToken: `admin-${randomUUID()}` },
    log: { level: 'info' },
  });
  const npm = spawn('npm', ['start', '--', '--config', file], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: '', SWITCHBOARD_CONFIG: '', PORT: '', SWITCHBOARD_PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  npm.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    npm.on('exit', (code, signal) => res({ code, signal })),
  );
  const port = await eventually(
    () => {
      if (npm.exitCode !== null) return 'exited' as const;
      const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
      return line ? (JSON.parse(line) as { port: number }).port : null;
    },
    { what: 'the host logs "listening"', timeoutMs: 60_000 },
  );
  if (port === 'exited') throw new Error(`npm start exited before listening:\n${output}`);
  const host = await eventually(
    () => descendants(npm.pid!).find((p) => p.args.includes('host/main.ts') && p.args.startsWith('node')),
    { what: 'the host process under npm', timeoutMs: 30_000 },
  );
  started.push({ npm, hostPid: host.pid });
  return { npm, hostPid: host.pid, port, output: () => output, exited };
}

it.each(['SIGTERM', 'SIGINT'] as const)(
  '%s to npm start reaches the host: it stops gracefully and frees the port',
  async (signal) => {
    const run = await npmStart();
    expect((await httpJson(`http://127.0.0.1:${run.port}`, 'GET', '/readyz')).status).toBe(200);

    run.npm.kill(signal);

    await eventually(() => !processAlive(run.hostPid), {
      what: `the host (pid ${run.hostPid}) exits after ${signal} to npm`,
      timeoutMs: 30_000,
    });
    const lines = run
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; signal?: string });
    expect(lines.find((l) => l.msg === 'stopping')?.signal, run.output()).toBe(signal);
    expect(
      lines.some((l) => l.msg === 'stopped'),
      run.output(),
    ).toBe(true);
    expect(await isListening(run.port)).toBe(false);
    // npm ends too, with the host's exit code: 0 after a graceful stop.
    expect(await run.exited).toEqual({ code: 0, signal: null });
  },
  120_000,
);

it('when npm is killed outright (SIGKILL), the host notices and stops gracefully', async () => {
  const run = await npmStart();
  run.npm.kill('SIGKILL');
  await eventually(() => !processAlive(run.hostPid), {
    what: `the host (pid ${run.hostPid}) exits after npm is killed`,
    timeoutMs: 30_000,
  });
  expect(run.output()).toContain('"signal":"parent exited"');
  expect(run.output()).toContain('"msg":"stopped"');
  expect(await isListening(run.port)).toBe(false);
}, 120_000);
