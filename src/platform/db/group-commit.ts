/**
 * Group commit: the writes of many concurrent callers made in one transaction, each caller answered only once that
 * transaction has committed. A commit is a flush to disk, and under a surge it is what every request would otherwise
 * queue for; shared, its cost is divided among the batch.
 *
 * A batch starts on the next turn of the event loop when fewer than `concurrency` are running, so a lone caller waits
 * for no timer; callers who arrive while batches run go together into the next one, so the batches grow with the load
 * by themselves. `write` gets the items and answers one result for each, in their order, inside its own transaction.
 *
 * If a batch fails, its items are written again each alone (the failed transaction left nothing behind): one bad
 * item then fails alone, and each caller gets its own item's error, never an answer for a write that did not commit.
 * The items must therefore be safe to write twice, as an idempotent insert is.
 */
/** How many items of a failed batch are written again at once, each alone. */
const RETRIES_AT_ONCE = 4;

export class GroupCommit<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(private readonly write: (items: I[]) => Promise<O[]>, private readonly options: { maxBatch: number; concurrency: number }) {}

  /** Resolves with the item's result after its batch has committed; rejects with the error if it could not be written. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.options.concurrency || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.running < this.options.concurrency && this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.options.maxBatch);
        this.running += 1;
        void this.settle(batch).finally(() => {
          this.running -= 1;
          this.schedule();
        });
      }
    });
  }

  private async settle(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.writeAll(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // Each alone, so one bad item fails alone; a few side by side, so that when the database is down no caller waits
      // behind all the others' failures, yet a failed batch of hundreds does not queue hundreds of transactions at once.
      let next = 0;
      const retry = async () => {
        while (next < batch.length) {
          const w = batch[next++]!;
          await this.writeAll([w.item]).then((results) => w.resolve(results[0]!), (alone: unknown) => w.reject(alone));
        }
      };
      await Promise.all(Array.from({ length: Math.min(RETRIES_AT_ONCE, batch.length) }, retry));
    }
  }

  private async writeAll(items: I[]): Promise<O[]> {
    const results = await this.write(items);
    if (results.length !== items.length) throw new Error(`a group commit answered ${results.length} results for ${items.length} items`);
    return results;
  }
}

interface Waiting<I, O> { item: I; resolve: (result: O) => void; reject: (err: unknown) => void }
