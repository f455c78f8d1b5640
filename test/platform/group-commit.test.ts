import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/platform/db/group-commit.js';

/** A writer that records each batch it is given and answers each item doubled, failing as `fails` says. */
function recordingWriter(fails: (items: number[]) => boolean = () => false) {
  const batches: number[][] = [];
  const write = async (items: number[]) => {
    batches.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (fails(items)) throw new Error(`could not write ${items.join(',')}`);
    return items.map((i) => i * 2);
  };
  return { batches, write };
}

const settled = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);

describe('group commit', () => {
  it('writes callers who arrive together in one batch, and answers each with its own result after the write', async () => {
    const { batches, write } = recordingWriter();
    const group = new GroupCommit(write, { maxBatch: 100, concurrency: 1 });
    const answers = await Promise.all([1, 2, 3, 4].map((n) => group.submit(n)));
    expect(answers).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('puts callers who arrive while a batch is being written into the next, and keeps to the largest batch', async () => {
    const { batches, write } = recordingWriter();
    const group = new GroupCommit(write, { maxBatch: 3, concurrency: 1 });
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4, 5, 6].map((n) => group.submit(n));
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('answers every caller of a batch that cannot be written with an error, and none with a result', async () => {
    const { batches, write } = recordingWriter(() => true);
    const group = new GroupCommit(write, { maxBatch: 100, concurrency: 1 });
    const outcomes = await settled([1, 2, 3].map((n) => group.submit(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes.map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(['could not write 1', 'could not write 2', 'could not write 3']);
    // The batch, then each item alone: every caller's answer is its own item's.
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('fails only the item that cannot be written: the others of its batch are written again alone and answered', async () => {
    const { write } = recordingWriter((items) => items.includes(2));
    const group = new GroupCommit(write, { maxBatch: 100, concurrency: 1 });
    const outcomes = await settled([1, 2, 3].map((n) => group.submit(n)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('could not write 2') },
      { status: 'fulfilled', value: 6 },
    ]);
  });

  it('refuses a writer that answers for fewer items than it was given, rather than answer some callers wrongly', async () => {
    const group = new GroupCommit(async (items: number[]) => items.slice(1), { maxBatch: 100, concurrency: 1 });
    const outcomes = await settled([1, 2].map((n) => group.submit(n)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
  });

  it('runs up to its concurrency of batches at once', async () => {
    let running = 0;
    let most = 0;
    const group = new GroupCommit(async (items: number[]) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
      return items;
    }, { maxBatch: 2, concurrency: 2 });
    await Promise.all(Array.from({ length: 10 }, (_v, n) => group.submit(n)));
    expect(most).toBe(2);
  });
});
