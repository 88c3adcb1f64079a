/**
 * The group-commit queue's overlapAt: with room for several batches in flight, another batch
 * starts beside one that commits only once that many items wait. A light load then costs one
 * transaction at a time, with the items gathered while it commits; a backlog still spreads over
 * every batch allowed. Real timers; the tests wait on the queue's own promises, never on time.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommitQueue } from '../sdk/index.js';
import { recorder, turns } from './support/commit-recorder.js';

describe('group-commit queue: overlapAt', () => {
  it('keeps a light load to one batch in flight, gathering what waits into the next', async () => {
    const r = recorder({ hold: true });
    const queue = new GroupCommitQueue<number, number>({
      commit: r.commit,
      maxBatch: 100,
      maxInFlight: 4,
      overlapAt: 3,
    });
    const pushed = [queue.push(1)];
    await r.nextBatch();
    // Two wait, fewer than overlapAt: no batch starts beside the first.
    pushed.push(queue.push(2), queue.push(3));
    const second = r.nextBatch();
    await turns();
    expect(r.batches).toEqual([[1]]);
    r.releases[0]!.resolve();
    expect(await second).toEqual([2, 3]);
    r.releases[1]!.resolve();
    expect(await Promise.all(pushed)).toEqual([2, 4, 6]);
    expect(r.maxInFlight()).toBe(1);
  });

  it('starts batches beside the one in flight once overlapAt items wait, up to maxInFlight', async () => {
    const r = recorder({ hold: true });
    const queue = new GroupCommitQueue<number, number>({ commit: r.commit, maxBatch: 2, maxInFlight: 3, overlapAt: 3 });
    const pushed = [queue.push(0)];
    await r.nextBatch();
    // A backlog of six: two more batches of maxBatch start beside the first; the rest waits.
    const second = r.nextBatch();
    pushed.push(...[1, 2, 3, 4, 5, 6].map((n) => queue.push(n)));
    await second;
    await turns();
    expect(r.batches).toEqual([[0], [1, 2], [3, 4]]);
    expect(r.maxInFlight()).toBe(3);
    const fourth = r.nextBatch();
    r.releases[0]!.resolve();
    expect(await fourth).toEqual([5, 6]);
    for (const release of r.releases.slice(1)) release.resolve();
    expect(await Promise.all(pushed)).toEqual([0, 2, 4, 6, 8, 10, 12]);
  });

  it('starts the first batch at once whatever overlapAt says', async () => {
    const r = recorder();
    const queue = new GroupCommitQueue<number, number>({
      commit: r.commit,
      maxBatch: 10,
      maxInFlight: 2,
      overlapAt: 50,
    });
    expect(await queue.push(7)).toBe(14);
    expect(r.batches).toEqual([[7]]);
  });
});
