/**
 * A full queue's drops are said at most once a period, with how many since the last time: a
 * burst of drops is one log line, and none is left out of the count.
 */
import { describe, expect, it } from 'vitest';
import { ThrottledWarning } from '../host/core/throttled-warning.js';

describe('ThrottledWarning', () => {
  it('says the first at once, then the count of those since, once a period', () => {
    const said: number[] = [];
    const drops = new ThrottledWarning(10_000, (count) => said.push(count));
    drops.add(100_000);
    for (let t = 100_001; t < 110_000; t += 1_000) drops.add(t);
    expect(said).toEqual([1]);
    drops.add(110_000);
    expect(said).toEqual([1, 11]);
    drops.add(110_001);
    drops.add(125_000);
    expect(said).toEqual([1, 11, 2]);
  });
});
