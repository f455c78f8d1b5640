import { Worker } from 'node:worker_threads';

/** What the driver needs of an embedded database: PGlite itself has it, and so has PGliteThread. */
export interface EmbeddedPostgres {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<{ rows: unknown[]; affectedRows?: number }[]>;
  listen(channel: string, handler: (payload: string) => void): Promise<unknown>;
  close(): Promise<void>;
}

interface Failure { message: string; name: string; fields: Record<string, unknown> }
type Answer = { id: number; result?: unknown; error?: Failure } | { notify: string; payload: string } | { ready: boolean; error?: Failure };

/** The error as thrown where PGlite runs: its message, and its PostgreSQL fields (code, constraint …) that callers test. */
function errorFrom(failure: Failure): Error {
  return Object.assign(new Error(failure.message), failure.fields, { name: failure.name });
}

/**
 * PGlite in a thread of its own (pglite-thread.mjs): a statement that runs for seconds holds that thread, not the one
 * answering requests. The thread keeps the process alive only while it has statements to answer, as PGlite in the
 * process would.
 */
export class PGliteThread implements EmbeddedPostgres {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private readonly listeners = new Map<string, ((payload: string) => void)[]>();
  private ended: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: Answer) => this.receive(m));
    worker.on('error', (err) => this.end(err));
    worker.on('exit', (code) => this.end(new Error(`The embedded database's thread stopped (exit code ${code})`)));
    worker.unref();
  }

  static async start(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PGliteThread> {
    const worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url), { workerData: options });
    const ready = await new Promise<{ ready: boolean; error?: Failure }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`The embedded database's thread stopped as it started (exit code ${code})`)));
    });
    worker.removeAllListeners('error').removeAllListeners('exit');
    if (!ready.ready) {
      await worker.terminate();
      throw errorFrom(ready.error!);
    }
    return new PGliteThread(worker);
  }

  query<R>(sql: string, params?: unknown[]) {
    return this.ask<{ rows: R[]; affectedRows?: number }>({ op: 'query', sql, params });
  }

  exec(sql: string) {
    return this.ask<{ rows: unknown[]; affectedRows?: number }[]>({ op: 'exec', sql });
  }

  async listen(channel: string, handler: (payload: string) => void): Promise<void> {
    const handlers = this.listeners.get(channel);
    if (handlers) return void handlers.push(handler);
    this.listeners.set(channel, [handler]);
    await this.ask({ op: 'listen', channel });
  }

  async close(): Promise<void> {
    if (this.ended) return;
    try {
      await this.ask({ op: 'close' });
    } finally {
      this.end(new Error('The embedded database is closed'));
      await this.worker.terminate();
    }
  }

  private ask<T>(message: Record<string, unknown>): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.worker.postMessage({ id, ...message });
      } catch (err) {
        // A parameter that cannot cross to the thread (a function, say): this statement fails, nothing waits for it.
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        reject(err as Error);
      }
    });
  }

  private receive(m: Answer) {
    if ('notify' in m) {
      for (const handler of this.listeners.get(m.notify) ?? []) handler(m.payload);
      return;
    }
    if (!('id' in m)) return;
    const waiting = this.pending.get(m.id);
    if (!waiting) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.error) waiting.reject(errorFrom(m.error));
    else waiting.resolve(m.result);
  }

  /** Every statement still waiting fails with `reason`, and so does every later one. */
  private end(reason: Error) {
    if (this.ended) return;
    this.ended = reason;
    for (const { reject } of this.pending.values()) reject(reason);
    this.pending.clear();
  }
}
