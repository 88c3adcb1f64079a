/**
 * The SDK's group-commit queue, which the conversation writer, the audit log, payments'
 * transfers and business chat's bursts all go through: same-tick pushes share a batch, batches
 * are bounded, each item gets its own outcome, a failed batch can be retried item by item, at
 * most maxInFlight batches commit at once (never two of one key), and stop() finishes the queue before refusing.
 * Real timers; the tests wait on the queue's own promises, never on time.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommitQueue, SwitchboardError, type GroupCommitOutcome } from '../sdk/index.js';
import { doubled, recorder, turns } from './support/commit-recorder.js';

describe('group-commit queue', () => {
  it('commits items pushed in the same tick as one batch, each resolving with its own value', async () => {
    const r = recorder();
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 100 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => queue.push(n)));
    expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(results).toEqual([2, 4, 6, 8, 10]);
  });

  it('splits a burst into batches of at most maxBatch, keeping the order of the pushes', async () => {
    const r = recorder();
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => queue.push(n)));
    expect(r.batches).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(results).toEqual(Array.from({ length: 10 }, (_, n) => n * 2));
  });

  it('gathers the items pushed while a batch commits into the next batch', async () => {
    const r = recorder({ hold: true });
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 100 });
    const first = queue.push(1);
    await r.nextBatch();
    const later = [2, 3, 4].map((n) => queue.push(n));
    const second = r.nextBatch();
    r.releases[0]!.resolve();
    expect(await first).toBe(2);
    await second;
    r.releases[1]!.resolve();
    expect(await Promise.all(later)).toEqual([4, 6, 8]);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
  });

  // A drain that let go of its slot a microtask after finding the queue empty (as the
  // conversation writer's copy did, in a .finally()) stranded a push made in that gap: the push
  // saw a drain running and started none. A stranded push never settles, so this test times out.
  it('commits a push made any number of microtasks after the previous one settled', { timeout: 5_000 }, async () => {
    for (const maxInFlight of [1, 2]) {
      for (let hops = 0; hops < 30; hops++) {
        const queue = new GroupCommitQueue<number, number>({ commit: doubled, maxBatch: 10, maxInFlight });
        expect(await queue.push(1)).toBe(2);
        for (let i = 0; i < hops; i++) await Promise.resolve();
        expect(await queue.push(2)).toBe(4);
      }
    }
  });

  it('fails only the item whose outcome is an error', async () => {
    const bad = new Error('item 2 is bad');
    const queue = new GroupCommitQueue<number, number>({
      commit: (items) =>
        Promise.resolve(
          items.map((n): GroupCommitOutcome<number> => (n === 2 ? { ok: false, error: bad } : { ok: true, value: n })),
        ),
      maxBatch: 100,
    });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => queue.push(n)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: bad },
      { status: 'fulfilled', value: 3 },
    ]);
  });

  it('resolves every item when the commit returns nothing', async () => {
    const batches: string[][] = [];
    const queue = new GroupCommitQueue<string>({
      commit: (items) => {
        batches.push(items);
        return Promise.resolve();
      },
      maxBatch: 10,
    });
    expect(await Promise.all(['a', 'b'].map((s) => queue.push(s)))).toEqual([undefined, undefined]);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('rejects an item the commit returned no outcome for', async () => {
    const queue = new GroupCommitQueue<number, number>({
      commit: (items) => Promise.resolve([{ ok: true, value: items[0]! }]),
      maxBatch: 10,
    });
    const settled = await Promise.allSettled([7, 8].map((n) => queue.push(n)));
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 7 });
    expect(settled[1]).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringContaining('no outcome') },
    });
  });

  describe('when the whole batch fails', () => {
    /** A commit that throws for any batch holding a 2 (a "bad" item that breaks the transaction). */
    const breakingOn2 =
      (calls: number[][]) =>
      (items: number[]): Promise<GroupCommitOutcome<number>[]> => {
        calls.push([...items]);
        if (items.includes(2)) return Promise.reject(new Error(`batch ${items.join(',')} broke`));
        return Promise.resolve(items.map((n) => ({ ok: true, value: n })));
      };

    it('fails every item with the error by default (mapped by `failure`)', async () => {
      const calls: number[][] = [];
      const queue = new GroupCommitQueue<number, number>({
        commit: breakingOn2(calls),
        maxBatch: 10,
        failure: (err) => new Error(`mapped: ${(err as Error).message}`),
      });
      const settled = await Promise.allSettled([1, 2, 3].map((n) => queue.push(n)));
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(settled.map((s) => (s as PromiseRejectedResult).reason.message)).toEqual(
        Array(3).fill('mapped: batch 1,2,3 broke'),
      );
      expect(calls).toEqual([[1, 2, 3]]);
    });

    it("retries each item alone with 'several', so the bad one fails alone", async () => {
      const calls: number[][] = [];
      const retried: number[] = [];
      const queue = new GroupCommitQueue<number, number>({
        commit: breakingOn2(calls),
        maxBatch: 10,
        retryAlone: 'several',
        onRetry: (_err, size) => retried.push(size),
        failure: (err) => new Error(`final: ${(err as Error).message}`),
      });
      const settled = await Promise.allSettled([1, 2, 3].map((n) => queue.push(n)));
      expect(settled).toEqual([
        { status: 'fulfilled', value: 1 },
        { status: 'rejected', reason: new Error('final: batch 2 broke') },
        { status: 'fulfilled', value: 3 },
      ]);
      expect(calls).toEqual([[1, 2, 3], [1], [2], [3]]);
      expect(retried).toEqual([3]);
    });

    it("does not retry a lone item with 'several': it has already failed alone", async () => {
      const calls: number[][] = [];
      const queue = new GroupCommitQueue<number, number>({
        commit: breakingOn2(calls),
        maxBatch: 10,
        retryAlone: 'several',
      });
      await expect(queue.push(2)).rejects.toThrow('batch 2 broke');
      expect(calls).toEqual([[2]]);
    });

    it("retries a lone item once with 'always' (a lost race may find its result the second time)", async () => {
      let attempts = 0;
      const queue = new GroupCommitQueue<number, number>({
        commit: (items) => {
          if (++attempts === 1) return Promise.reject(new Error('lost a race'));
          return Promise.resolve(items.map((n): GroupCommitOutcome<number> => ({ ok: true, value: n })));
        },
        maxBatch: 10,
        retryAlone: 'always',
      });
      expect(await queue.push(5)).toBe(5);
      expect(attempts).toBe(2);

      const always: number[][] = [];
      const failing = new GroupCommitQueue<number, number>({
        commit: breakingOn2(always),
        maxBatch: 10,
        retryAlone: 'always',
      });
      await expect(failing.push(2)).rejects.toThrow('batch 2 broke');
      expect(always).toEqual([[2], [2]]);
    });
  });

  it('commits at most maxInFlight batches at once, taking items in order', async () => {
    const r = recorder({ hold: true });
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 100, maxInFlight: 2 });
    const pushed: Promise<number>[] = [queue.push(1)];
    await r.nextBatch();
    // The first batch is still committing: a second one starts beside it.
    pushed.push(queue.push(2));
    await r.nextBatch();
    // Two are committing: these wait for one of them to finish.
    const third = r.nextBatch();
    pushed.push(queue.push(3), queue.push(4));
    await turns();
    expect(r.batches).toEqual([[1], [2]]);
    r.releases[1]!.resolve();
    await third;
    r.releases[0]!.resolve();
    r.releases[2]!.resolve();
    expect(await Promise.all(pushed)).toEqual([2, 4, 6, 8]);
    expect(r.batches).toEqual([[1], [2], [3, 4]]);
    expect(r.maxInFlight()).toBe(2);
  });

  it('with keyOf, never commits one key in two batches at once, and keeps each key in order', async () => {
    const r = recorder({ hold: true });
    // Key: the tens digit (11 and 12 share a key; 21 does not).
    const queue = new GroupCommitQueue<number, number>({
      commit: r.commit,
      maxBatch: 100,
      maxInFlight: 3,
      keyOf: (n) => String(Math.floor(n / 10)),
    });
    const pushed: Promise<number>[] = [queue.push(11)];
    await r.nextBatch();
    // Key 1 is committing: 12 and 13 wait for it, while 21 and 31 pass them in a batch of their own.
    const second = r.nextBatch();
    pushed.push(queue.push(12), queue.push(21), queue.push(13), queue.push(31));
    await second;
    await turns();
    expect(r.batches).toEqual([[11], [21, 31]]);
    // Key 2 is busy in turn: 22 waits although a batch slot is free; 41 does not.
    const third = r.nextBatch();
    pushed.push(queue.push(22), queue.push(41));
    await third;
    await turns();
    expect(r.batches).toEqual([[11], [21, 31], [41]]);
    // Key 1's batch ends: its waiting items commit next, in the order pushed.
    const fourth = r.nextBatch();
    r.releases[0]!.resolve();
    expect(await fourth).toEqual([12, 13]);
    const fifth = r.nextBatch();
    r.releases[1]!.resolve();
    expect(await fifth).toEqual([22]);
    for (const release of r.releases.slice(2)) release.resolve();
    expect(await Promise.all(pushed)).toEqual([22, 24, 42, 26, 62, 44, 82]);
    expect(r.maxInFlight()).toBe(3);
  });

  it('commits one batch at a time by default', async () => {
    const r = recorder({ hold: true });
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 100 });
    const first = queue.push(1);
    await r.nextBatch();
    const rest = [queue.push(2), queue.push(3)];
    const second = r.nextBatch();
    await turns();
    expect(r.batches).toEqual([[1]]);
    r.releases[0]!.resolve();
    await second;
    r.releases[1]!.resolve();
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6]);
    expect(r.batches).toEqual([[1], [2, 3]]);
    expect(r.maxInFlight()).toBe(1);
  });

  it('stop() finishes the queued items, then refuses new ones with the given error', async () => {
    const r = recorder({ hold: true });
    const queue = new GroupCommitQueue<number, number>({
      commit: r.commit,
      maxBatch: 2,
      stopped: () => new SwitchboardError('plugin_failed'),
    });
    const queued = [1, 2, 3].map((n) => queue.push(n));
    await r.nextBatch();
    let stopped = false;
    const stopping = queue.stop().then(() => {
      stopped = true;
    });
    // Stopping: queued items still commit, new ones are refused at once.
    await expect(queue.push(9)).rejects.toMatchObject({ code: 'plugin_failed' });
    const second = r.nextBatch();
    r.releases[0]!.resolve();
    await second;
    expect(stopped).toBe(false);
    r.releases[1]!.resolve();
    await stopping;
    expect(await Promise.all(queued)).toEqual([2, 4, 6]);
    expect(r.batches).toEqual([[1, 2], [3]]);
    await expect(queue.push(10)).rejects.toMatchObject({ code: 'plugin_failed' });
  });

  it('refuses with shutting_down after stop() by default, and stops at once when idle', async () => {
    const queue = new GroupCommitQueue<number, number>({ commit: doubled, maxBatch: 2 });
    expect(await queue.push(1)).toBe(2);
    await queue.stop();
    await expect(queue.push(2)).rejects.toMatchObject({ code: 'shutting_down' });
  });

  it('refuses a maxBatch or maxInFlight below 1', () => {
    expect(() => new GroupCommitQueue<number, number>({ commit: doubled, maxBatch: 0 })).toThrow(RangeError);
    expect(() => new GroupCommitQueue<number, number>({ commit: doubled, maxBatch: 1, maxInFlight: 0 })).toThrow(
      RangeError,
    );
  });
});
