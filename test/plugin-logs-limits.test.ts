/**
 * A plugin's log is bounded whatever the plugin does (issue 11): each line's data is a bounded
 * copy, lines past the rate limit are dropped and counted, and the lines kept per plugin are
 * capped in number and bytes, in the per-plugin log and in the host log alike.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { enable, pluginLogs, type LogEntry } from './support/plugin-helpers.js';
import { repoRoot } from './support/e2e.js';
import type { LogFloodSettings } from './fixtures/plugins/log-flood/index.js';
import { boundedCopy, CYCLE, MARKER_KEY, THREW, TRUNCATED } from '../host/plugins/bounded-copy.js';
import { PLUGIN_LOG_LIMITS, PluginLogs } from '../host/plugins/plugin-logs.js';

const { burstLines, linesPerSecond, keepBytes, dataBytes, droppedReportMs } = PLUGIN_LOG_LIMITS;
const DROPPED = /^(\d+) log lines dropped \(rate limit\)$/;
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

function logFlood(id: string, settings: LogFloodSettings) {
  return enable(
    {
      id,
      name: `Log flood ${id}`,
      version: '1.0.0',
      description: 'A test fixture that misuses ctx.log.',
      author: 'Switchboard tests',
      engine: '^1.0.0',
      runtime: 'trusted',
      permissions: {},
      entry: `${repoRoot}/test/fixtures/plugins/log-flood/index.ts`,
    },
    { settings },
  );
}

/** A pino logger whose lines are kept, raw, for the assertions on the host log. */
function capturingLogger() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(line);
      },
    },
  );
  const ofPlugin = (id: string) => lines.filter((l) => JSON.parse(l).plugin === id);
  return { logger, lines, ofPlugin };
}

const droppedCounts = (entries: LogEntry[]) =>
  entries
    .map((e) => DROPPED.exec(e.message))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]));
const floodLines = (entries: LogEntry[]) =>
  entries.filter((e) => e.message.startsWith('flood ') && e.message !== 'flood done');

describe('plugin logs under a plugin that misuses ctx.log', () => {
  let host: TestHost;
  const hostLog = capturingLogger();

  beforeAll(async () => {
    host = await startTestHost({
      logger: hostLog.logger,
      config: {
        plugins: {
          enabled: [
            logFlood('logs-big', { bigBytes: 1 << 20 }),
            logFlood('logs-flood', { flood: 5000 }),
            logFlood('logs-heavy', { flood: 1000, padChars: 1500 }),
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('keeps a bounded copy, marked truncated, of a line with 1 MiB of data', async () => {
    const big = (await pluginLogs(host, 'logs-big', 500)).find((e) => e.message === 'big');
    expect(big).toBeDefined();
    expect(jsonBytes(big!.data)).toBeLessThanOrEqual(dataBytes);
    expect((big as { truncated?: boolean }).truncated).toBe(true);
    // Cut, not thrown away: the small field survives and the blob keeps its start.
    expect(big!.data.note).toBe('small');
    expect(big!.data.blob).toMatch(/^x{1000,}…$/);
    const hostLine = hostLog.ofPlugin('logs-big').find((l) => JSON.parse(l).msg === 'big');
    expect(hostLine).toBeDefined();
    expect(Buffer.byteLength(hostLine!)).toBeLessThan(2 * dataBytes);
  });

  it('rate limits a flood of 5,000 lines and says how many lines it dropped', async () => {
    const entries = await pluginLogs(host, 'logs-flood', 500);
    const kept = floodLines(entries).length;
    const dropped = droppedCounts(entries);
    expect(dropped.length).toBeGreaterThan(0);
    // Nothing was evicted (far fewer than 500 lines), so every line is either kept or counted.
    expect(kept + dropped.reduce((a, b) => a + b, 0)).toBe(5000);
    const done = entries.find((e) => e.message === 'flood done');
    expect(done).toBeDefined();
    // The burst, plus what the sustained rate refilled while the plugin was logging.
    expect(kept).toBeGreaterThanOrEqual(burstLines);
    expect(kept).toBeLessThanOrEqual(burstLines + Math.ceil((linesPerSecond * (done!.data.ms + 2)) / 1000));
    // The host log got exactly the lines kept and the same counts, not the flood.
    const hostLines = hostLog.ofPlugin('logs-flood').map((l) => ({ message: String(JSON.parse(l).msg) }) as LogEntry);
    expect(floodLines(hostLines)).toHaveLength(kept);
    expect(droppedCounts(hostLines)).toEqual(dropped);
  });

  it('keeps at most 256 KiB per plugin, the newest lines, and answers a 500-line read in under 300 KiB', async () => {
    const res = await host.http('GET', '/v1/admin/plugins/logs-heavy/logs?limit=500', { token: 'admin' });
    expect(res.status).toBe(200);
    const entries: LogEntry[] = res.body.entries;
    const keptBytes = entries.reduce((sum, e) => sum + jsonBytes(e), 0);
    expect(keptBytes).toBeLessThanOrEqual(keepBytes);
    // The burst alone (~3 KiB a line) is over the byte cap: it is the bytes that evicted lines.
    const flood = floodLines(entries);
    expect(flood.length).toBeLessThan(burstLines);
    expect(keptBytes).toBeGreaterThan(keepBytes - 4 * dataBytes);
    // Oldest first out: the first lines are gone, the kept ones are the latest, in order.
    const numbers = flood.map((e) => e.data.i as number);
    expect(numbers[0]).toBeGreaterThan(0);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(entries.some((e) => e.message === 'flood done')).toBe(true);
    const length = Number(res.headers.get('content-length') ?? jsonBytes(res.body));
    expect(length).toBeLessThan(300 * 1024);
  });
});

describe('PluginLogs, with a fake clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports dropped lines after the report period without a read, then allows the sustained rate', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const hostLog = capturingLogger();
    const logs = new PluginLogs(hostLog.logger);
    const log = logs.loggerFor('p');
    for (let i = 0; i < burstLines + 100; i++) log.info(`line ${i}`);
    expect(hostLog.ofPlugin('p')).toHaveLength(burstLines);

    vi.advanceTimersByTime(droppedReportMs);
    const reported = JSON.parse(hostLog.ofPlugin('p').at(-1)!);
    expect(reported).toMatchObject({ msg: '100 log lines dropped (rate limit)', dropped: 100 });

    // One report period refilled linesPerSecond × period tokens; the rest is dropped and reported on read.
    const refilled = (linesPerSecond * droppedReportMs) / 1000;
    for (let i = 0; i < refilled + 50; i++) log.info(`again ${i}`);
    const entries = logs.entries('p', 500);
    expect(entries.filter((e) => e.message.startsWith('again '))).toHaveLength(refilled);
    expect(entries.at(-1)).toMatchObject({
      level: 'warn',
      message: '50 log lines dropped (rate limit)',
      data: { dropped: 50 },
    });
    expect(droppedCounts(entries)).toEqual([100, 50]);
  });

  it("bounds a failure's error in the host log as well as in the plugin log", () => {
    const hostLog = capturingLogger();
    const logs = new PluginLogs(hostLog.logger);
    const err = Object.assign(new Error('boom'), { payload: 'z'.repeat(1 << 20) });
    logs.recordFailure('p', '/cmd handler failed', err);
    expect(logs.entries('p', 10)).toMatchObject([{ level: 'error', message: '/cmd handler failed: boom' }]);
    const line = hostLog.ofPlugin('p')[0]!;
    expect(Buffer.byteLength(line)).toBeLessThan(2 * dataBytes);
    expect(JSON.parse(line).err).toMatchObject({ name: 'Error', message: 'boom' });
  });
});

describe('boundedCopy', () => {
  const limits = { maxBytes: 4096, maxDepth: 8, maxKeys: 100 };

  it('replaces a cycle by a marker and keeps the rest', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    cyclic.list = [1, cyclic];
    const copy = boundedCopy(cyclic, limits);
    expect(copy.value).toEqual({ name: 'loop', self: CYCLE, list: [1, CYCLE] });
    expect(copy.truncated).toBe(true);
    expect(copy.bytes).toBe(jsonBytes(copy.value));
  });

  it('turns a throwing getter into a marker without throwing', () => {
    const value = {
      before: 1,
      get bad() {
        throw new Error('getter');
      },
      after: 2,
    };
    const copy = boundedCopy(value, limits);
    expect(copy.value).toEqual({ before: 1, bad: THREW, after: 2 });
    expect(copy.truncated).toBe(true);
  });

  it('prints a BigInt as its digits, and a huge one not at all', () => {
    const copy = boundedCopy({ small: 12345678901234567890n, huge: 10n ** 100_000n }, limits);
    expect(copy.value).toEqual({ small: '12345678901234567890', huge: '[bigint]' });
    expect(() => JSON.stringify(copy.value)).not.toThrow();
  });

  it('cuts a 10 MB string to the budget, marking where it was cut', () => {
    const copy = boundedCopy({ id: 7, text: 's'.repeat(10_000_000), later: 'lost' }, limits);
    const value = copy.value as Record<string, unknown>;
    expect(jsonBytes(value)).toBeLessThanOrEqual(limits.maxBytes);
    expect(copy.bytes).toBe(jsonBytes(value));
    expect(value.id).toBe(7);
    expect(value.text).toMatch(/^s{3000,}…$/);
    expect(value[MARKER_KEY]).toBe(TRUNCATED);
    expect(value.later).toBeUndefined();
    expect(copy.truncated).toBe(true);
  });

  it('copies an own "__proto__" key as a key, never as the copy\'s prototype', () => {
    const copy = boundedCopy(JSON.parse('{"__proto__": {"admin": true}, "ok": 1}'), limits);
    const value = copy.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value.admin).toBeUndefined();
    expect(JSON.stringify(value)).toBe('{"__proto__":{"admin":true},"ok":1}');
    expect(copy.bytes).toBe(jsonBytes(value));
  });

  it('looks at no more than maxKeys items and maxDepth levels', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 50; i++) deep = deep.d = {};
    const copy = boundedCopy({ items: new Array(10_000_000), root }, limits);
    const value = copy.value as { items: unknown[]; root: unknown };
    expect(value.items).toHaveLength(limits.maxKeys + 1);
    expect(value.items.at(-1)).toBe(`[${10_000_000 - limits.maxKeys} more items]`);
    expect(JSON.stringify(value.root).match(/"d"/g)).toHaveLength(limits.maxDepth - 1);
  });
});
