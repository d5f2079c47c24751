import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/util/semaphore.ts';

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once, in arrival order, and passes results and errors through', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      if (i === 3) throw new Error('three');
      return i;
    };
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => s.use(task(i))));
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([1, 2, 'three', 4, 5]);
  });
});
