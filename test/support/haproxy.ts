/**
 * HAProxy in front of test hosts, run from the shipped deploy/haproxy/haproxy.cfg as it is: the
 * test gives only what the file reads from the environment (its address, a throwaway certificate,
 * the hosts' addresses, the admin socket). Plus HTTPS requests through it from a chosen local
 * address, and the proxy's own view of its servers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect as connectUnix } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isListening, repoRoot } from './e2e.js';
import { eventually } from './eventually.js';

export const SHIPPED_CONFIG = join(repoRoot, 'deploy/haproxy/haproxy.cfg');

/** Whether an `haproxy` binary is on PATH. */
export function haproxyInstalled(): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

export interface Proxy {
  readonly port: number;
  /** The self-signed certificate the proxy presents, to trust as a CA. */
  readonly ca: string;
  readonly url: string;
  readonly wsUrl: string;
  /** What HAProxy logged so far (one line per request or WebSocket session). */
  output(): string;
  /** Each server's status as the proxy's health checks see it ("UP", "DOWN", "UP 1/2" …). */
  servers(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI, as one PEM with its key. */
function throwawayCertificate(dir: string): { pem: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const pem = join(dir, 'proxy.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { pem, cert: readFileSync(cert, 'utf8') };
}

/** Starts haproxy in the foreground on a free port, in front of `hosts` ("127.0.0.1:port" each). */
export async function startProxy(hosts: { a: string; b: string }): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-haproxy-'));
  const { pem, cert } = throwawayCertificate(dir);
  const port = await freePort();
  const statsSocket = join(dir, 'admin.sock');
  const env = {
    ...process.env,
    SB_BIND: `127.0.0.1:${port}`,
    SB_CERT: pem,
    SB_HOST_A: hosts.a,
    SB_HOST_B: hosts.b,
    SB_STATS_SOCKET: statsSocket,
  };
  const check = spawnSync('haproxy', ['-c', '-f', SHIPPED_CONFIG], { env, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c refused the shipped config:\n${check.stdout}${check.stderr}`);
  // -db: stay in the foreground and log to our pipe, whatever the global section says.
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', SHIPPED_CONFIG], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${out}`);
      return isListening(port);
    },
    { what: `haproxy listening on ${port}` },
  );

  const servers = () =>
    new Promise<Record<string, string>>((resolve, reject) => {
      const socket = connectUnix(statsSocket);
      let csv = '';
      socket.on('data', (c: Buffer) => (csv += c.toString()));
      socket.on('error', reject);
      socket.on('end', () => {
        const [header, ...rows] = csv.trim().split('\n');
        const fields = header!.replace(/^# /, '').split(',');
        const at = (name: string) => fields.indexOf(name);
        const status: Record<string, string> = {};
        for (const row of rows.map((r) => r.split(',')))
          if (row[at('pxname')] === 'switchboard' && !['FRONTEND', 'BACKEND'].includes(row[at('svname')]!))
            status[row[at('svname')]!] = row[at('status')]!;
        resolve(status);
      });
      socket.end('show stat\n');
    });

  return {
    port,
    ca: cert,
    url: `https://127.0.0.1:${port}`,
    wsUrl: `wss://127.0.0.1:${port}/v1/ws`,
    output: () => out,
    servers,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface ProxiedAnswer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
  /** The TLS version the proxy negotiated. */
  tls: string | null;
}

/** One JSON request to the proxy over HTTPS, on a fresh connection from `localAddress`. */
export function httpsJson(
  proxy: Proxy,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<ProxiedAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        method,
        path,
        headers,
        ca: proxy.ca,
        localAddress: opts.localAddress,
        // A new connection per request, so the balancer chooses a host for each.
        agent: false,
      },
      (res) => {
        const tls = 'getProtocol' in res.socket ? (res.socket as import('node:tls').TLSSocket).getProtocol() : null;
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON: kept as text */
          }
          resolve({ status: res.statusCode!, body, headers: res.headers, tls });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
