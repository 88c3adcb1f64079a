/**
 * The group-commit queue's gatherMs, for items no caller waits on promptly (the audit log): a
 * trickle of pushes over many turns of the event loop shares one batch, a full batch goes at
 * once, and stop() does not wait out the gathering. The gather is a minute long, so that nothing
 * here depends on how fast the machine is: every batch asserted starts for a reason other than time.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommitQueue } from '../sdk/index.js';
import { recorder, turns } from './support/commit-recorder.js';

const MINUTE = 60_000;

describe('group-commit queue: gatherMs', () => {
  it('keeps pushes made over many turns in one batch, started once maxBatch items wait', async () => {
    const r = recorder();
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 4, gatherMs: MINUTE });
    const pushed: Promise<number>[] = [];
    for (const n of [1, 2, 3]) {
      pushed.push(queue.push(n));
      await turns();
    }
    expect(r.batches).toEqual([]);
    const started = r.nextBatch();
    pushed.push(queue.push(4), queue.push(5));
    expect(await started).toEqual([1, 2, 3, 4]);
    await turns();
    // The fifth is gathering for the next batch, a minute after the first started.
    expect(r.batches).toEqual([[1, 2, 3, 4]]);
    expect(await Promise.all(pushed.slice(0, 4))).toEqual([2, 4, 6, 8]);
    await queue.stop();
    expect(await pushed[4]).toBe(10);
    expect(r.batches).toEqual([[1, 2, 3, 4], [5]]);
  });

  it('stop() commits what is gathering at once, then refuses', async () => {
    const r = recorder();
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 100, gatherMs: MINUTE });
    const pushed = [queue.push(1), queue.push(2)];
    await turns();
    expect(r.batches).toEqual([]);
    await queue.stop();
    expect(await Promise.all(pushed)).toEqual([2, 4]);
    expect(r.batches).toEqual([[1, 2]]);
    await expect(queue.push(3)).rejects.toMatchObject({ code: 'shutting_down' });
  });

  it('with keyOf, a full batch goes at once across keys, each key in order', async () => {
    const batches: string[][] = [];
    const queue = new GroupCommitQueue<string, string>({
      commit: (items) => {
        batches.push([...items]);
        return Promise.resolve(items.map((value) => ({ ok: true as const, value })));
      },
      maxBatch: 3,
      maxInFlight: 2,
      keyOf: (item) => item.slice(0, 1),
      gatherMs: MINUTE,
    });
    // Settles only if the batch starts without waiting out the minute (or a stop).
    expect(await Promise.all(['a1', 'b1', 'a2'].map((item) => queue.push(item)))).toEqual(['a1', 'b1', 'a2']);
    expect(batches).toEqual([['a1', 'b1', 'a2']]);
    await queue.stop();
  });

  it('refuses a negative gatherMs', () => {
    expect(() => new GroupCommitQueue({ commit: () => Promise.resolve(), maxBatch: 1, gatherMs: -1 })).toThrow(
      RangeError,
    );
  });
});
