import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { isUuid } from '../../platform/validation/ids.js';
import { OrukImportService, type RecordProgress } from '../oruk/import/importer.js';
import { describeSource, type OrukSource } from '../oruk/import/sources.js';
import { importsRepository } from './repository.js';
import { uploadsFolder } from './uploads.js';

/**
 * Imports started on /admin/imports run as jobs of the durable queue, so that the page answers at once and the web
 * process keeps answering while a large source is read and written (the importer yields between its statements).
 * The import's record is made with its job; its page shows the records read, written and refused until the report
 * takes their place. One import at a time per LIO. An import whose process stopped part way (a restart) never
 * committed, so nothing of it was imported: its record says so, and the admin starts it again.
 */

export const IMPORT_JOB = 'directory.import_oruk';

/** A running import says it is alive this often (PostgreSQL: from any process; PGlite: when its transaction lets it). */
const HEARTBEAT_MS = 5_000;
/** A running import silent this long belongs to a process that stopped. */
export const ABANDONED_AFTER_MS = 60_000;

export const ABANDONED_MESSAGE = 'The import stopped before it finished (the server was restarted or stopped), so nothing was imported. Start it again.';

/** Progress of the imports this process runs, read by their pages between the heartbeats kept in the database. */
const live = new Map<string, RecordProgress>();

export type QueuedSource = { kind: 'url'; url: string } | { kind: 'upload'; names: string[]; claim: (dir: string) => Promise<unknown> };

export class QueuedImports {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {}

  /** Where an import's uploaded files wait for its job. */
  folderOf(importId: string): string {
    return path.join(uploadsFolder(this.deps.config.dataDir), importId);
  }

  /**
   * Queues an import of `source`: its record and its job, in one transaction. Refused, with the import that holds the
   * place, when another of the LIO's imports waits or runs.
   */
  async queue(actor: SignedInUser | null, source: QueuedSource): Promise<{ id: string } | { busy: string }> {
    authorise(actor, 'directory.import');
    const { db, clock, jobs } = this.deps;
    const now = clock.now();
    await this.stopAbandoned(actor.lioId);
    const orukSource: OrukSource = source.kind === 'url' ? source : { kind: 'upload', dir: '', names: source.names };
    try {
      return await db.withTenant(actor.lioId, async (tx) => {
        const busy = await importsRepository.unfinished(tx);
        if (busy) return { busy: busy.id };
        const id = await importsRepository.queue(tx, { lio_id: actor.lioId, kind: 'oruk', source: describeSource(orukSource).slice(0, 2000), started_at: now, actor_label: actor.email });
        if (source.kind === 'upload') await source.claim(this.folderOf(id));
        await jobs.enqueue(tx, { lioId: actor.lioId, kind: IMPORT_JOB, payload: { importId: id, userId: actor.id, url: source.kind === 'url' ? source.url : null }, maxAttempts: 1 });
        return { id };
      });
    } catch (err) {
      // Two admins at once: the unique index let one in; the other is told which import holds the place.
      if ((err as { code?: string }).code !== '23505') throw err;
      const busy = await db.withTenant(actor.lioId, (tx) => importsRepository.unfinished(tx));
      if (!busy) throw err;
      return { busy: busy.id };
    }
  }

  /** An import's record, with the progress of one that runs. */
  async find(actor: SignedInUser | null, id: string) {
    authorise(actor, 'directory.import');
    if (!isUuid(id)) return undefined;
    await this.stopAbandoned(actor.lioId);
    const found = await this.deps.db.withTenant(actor.lioId, (tx) => importsRepository.find(tx, id));
    if (!found || found.status === 'completed' || found.status === 'rejected') return found;
    return { ...found, progress: { ...(live.get(id) ?? found.progress) } as Record<string, unknown> };
  }

  /** Running imports whose process stopped are ended as rejected, and their uploads deleted. */
  private async stopAbandoned(lioId: string): Promise<void> {
    const now = this.deps.clock.now();
    const stopped = await this.deps.db.withTenant(lioId, (tx) => importsRepository.stopAbandoned(tx, new Date(now.getTime() - ABANDONED_AFTER_MS), now, ABANDONED_MESSAGE));
    for (const id of stopped) await rm(this.folderOf(id), { recursive: true, force: true });
  }

  /** The job: imports the source as the admin who queued it (their permission was checked then), all or nothing. */
  async run(lioId: string, payload: Record<string, unknown>): Promise<void> {
    const { db, clock, config } = this.deps;
    const importId = String(payload.importId);
    const url = typeof payload.url === 'string' ? payload.url : null;
    const record = await db.withTenant(lioId, async (tx) => (await importsRepository.markRunning(tx, importId, clock.now())) ? importsRepository.find(tx, importId) : undefined);
    const dir = this.folderOf(importId);
    if (!record) return void await rm(dir, { recursive: true, force: true });
    const source: OrukSource = url ? { kind: 'url', url } : { kind: 'upload', dir, names: record.source.split(', ') };
    let beating: Promise<void> | null = null;
    const heartbeat = setInterval(() => {
      // (on the embedded engine a beat waits while the import's transaction holds the database: one at a time)
      if (beating) return;
      const progress = live.get(importId) ?? {};
      beating = db.withTenant(lioId, (tx) => importsRepository.beat(tx, importId, clock.now(), { ...progress })).catch(() => undefined).finally(() => { beating = null; });
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      const importer = new OrukImportService({ db, clock, limits: config.imports });
      await importer.importOruk({ queuedBy: { userId: String(payload.userId), label: record.actor_label } }, lioId, source, {
        importId,
        onProgress: (p) => {
          if (p.stage === 'records') live.set(importId, p);
          // a feed's records are counted as its pages are read, and written once all are
          else if (p.stage === 'fetch') live.set(importId, { stage: 'records', done: p.done, total: null, read: p.records ?? 0, written: 0, refused: 0, message: p.message });
        },
      });
    } catch (err) {
      // Whatever the importer could not report itself: the record still ends, and says nothing was imported.
      await db.withTenant(lioId, (tx) => importsRepository.finish(tx, importId, {
        status: 'rejected', finished_at: clock.now(), counts: JSON.stringify({ message: `The import failed, so nothing was imported: ${(err as Error).message ?? 'an error'}` }),
      }));
    } finally {
      clearInterval(heartbeat);
      await beating;
      live.delete(importId);
      await rm(dir, { recursive: true, force: true });
    }
  }
}

export function registerImportJobs(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }): void {
  const queued = new QueuedImports({ ...deps, jobs });
  jobs.register(IMPORT_JOB, (job) => queued.run(job.lioId as string, job.payload), { long: true });
}
