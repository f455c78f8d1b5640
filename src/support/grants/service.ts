import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { isUuid } from '../../platform/validation/ids.js';
import { grantsRepository as repo } from './repository.js';
import type { GrantFormat } from './reader.js';
import { NO_PROGRESS, forgetFile, importFile, importFolder, importGrantsFile, type Progress } from './importer.js';
import { uploadsFolder } from './uploads.js';

export const IMPORT_JOB = 'support.import_360giving';
const HEARTBEAT_MS = 5_000;
/** A running import silent this long belongs to a process that stopped. */
const ABANDONED_AFTER_MS = 60_000;
const ABANDONED_MESSAGE = 'The import stopped before it finished (the server was restarted or stopped), so nothing was imported. Start it again.';

/** Progress of the imports this process runs: their pages read it while the import's transaction holds the database. */
const live = new Map<string, { lioId: string; fileName: string; progress: Progress }>();

/** 360Giving imports (queued as jobs, with progress and a report) and the pages of grants in the LIO's area. */
export class GrantsService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {}

  private get root() { return uploadsFolder(this.deps.config.dataDir); }

  /** Queues an import of an uploaded file; refused, with the import that holds the place, while another waits or runs. */
  async queue(actor: SignedInUser | null, file: { name: string; format: GrantFormat; claim: (dir: string) => Promise<void> }): Promise<{ id: string } | { busy: string }> {
    authorise(actor, 'grants.import');
    const now = this.deps.clock.now();
    await this.stopAbandoned(actor.lioId);
    try {
      return await this.deps.db.withTenant(actor.lioId, async (tx) => {
        const busy = await repo.unfinished(tx);
        if (busy) return { busy: busy.id };
        const { id } = await repo.queue(tx, { lioId: actor.lioId, fileName: file.name, format: file.format, userId: actor.id, now });
        await file.claim(importFolder(this.root, id));
        await this.deps.jobs.enqueue(tx, { lioId: actor.lioId, kind: IMPORT_JOB, payload: { importId: id }, maxAttempts: 1 });
        return { id };
      });
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      const busy = await this.deps.db.withTenant(actor.lioId, (tx) => repo.unfinished(tx));
      if (!busy) throw err;
      return { busy: busy.id };
    }
  }

  /** An import's record; while this process runs it, its progress from memory (the database is busy with it). */
  async find(actor: SignedInUser | null, id: string) {
    authorise(actor, 'grants.import');
    if (!isUuid(id)) return undefined;
    const running = live.get(id);
    if (running && running.lioId === actor.lioId) return { id, status: 'running' as const, file_name: running.fileName, progress: running.progress };
    await this.stopAbandoned(actor.lioId);
    const found = await this.deps.db.withTenant(actor.lioId, (tx) => repo.find(tx, id));
    return found ? { ...found, progress: { ...NO_PROGRESS, read: found.rows_read, written: found.rows_written, refused: found.rows_refused } } : undefined;
  }

  recent(actor: SignedInUser | null) {
    authorise(actor, 'grants.import');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.recent(tx));
  }

  private async stopAbandoned(lioId: string) {
    const now = this.deps.clock.now();
    const stopped = await this.deps.db.withTenant(lioId, (tx) => repo.stopAbandoned(tx, new Date(now.getTime() - ABANDONED_AFTER_MS), now, ABANDONED_MESSAGE));
    for (const id of stopped) await forgetFile(this.root, id);
  }

  /** The job: imports the file as the adviser who queued it (their permission was checked then). */
  async run(lioId: string, importId: string): Promise<void> {
    const { db, clock } = this.deps;
    const record = await db.withTenant(lioId, async (tx) => ((await repo.markRunning(tx, importId, clock.now())) ? repo.find(tx, importId) : undefined));
    if (!record) return void await forgetFile(this.root, importId);
    const entry = { lioId, fileName: record.file_name, progress: NO_PROGRESS };
    live.set(importId, entry);
    let beating: Promise<unknown> | null = null;
    const heartbeat = setInterval(() => {
      if (beating) return;
      beating = db.withTenant(lioId, (tx) => repo.beat(tx, importId, clock.now(), entry.progress.read)).catch(() => undefined).finally(() => { beating = null; });
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      await importGrantsFile({ db, clock }, lioId, importId, { file: importFile(this.root, importId), format: record.format }, (p) => { entry.progress = p; });
    } catch (err) {
      await db.withTenant(lioId, (tx) => repo.finish(tx, importId, {
        status: 'rejected', read: entry.progress.read, written: 0, refused: entry.progress.refused, report: [], now: clock.now(),
        rejection: `The import failed, so nothing was imported: ${(err as Error).message ?? 'an error'}`,
      }));
    } finally {
      clearInterval(heartbeat);
      await beating;
      live.delete(importId);
      await forgetFile(this.root, importId);
    }
  }

  // The pages of grants in the LIO's area.
  async funders(actor: SignedInUser | null) {
    authorise(actor, 'funding.manage');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({ funders: await repo.funders(tx, 100), totals: await repo.totals(tx) }));
  }

  async funder(actor: SignedInUser | null, identifier: string) {
    authorise(actor, 'funding.manage');
    if (!identifier || identifier.length > 200) return [];
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.funderGrants(tx, identifier));
  }

  async organisationGrants(actor: SignedInUser | null, organisationId: string) {
    authorise(actor, 'funding.view', organisationId);
    if (!isUuid(organisationId)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = await repo.organisation(tx, organisationId);
      return organisation ? { organisation, grants: await repo.organisationGrants(tx, organisationId) } : undefined;
    });
  }

  async neverFunded(actor: SignedInUser | null) {
    authorise(actor, 'funding.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.neverFunded(tx));
  }
}

export const REMATCH_JOB = 'support.rematch_grants';
/** The register changes all day (a charity number added, an organisation merged): grants are matched again hourly. */
const REMATCH_EVERY_MS = 60 * 60_000;

export function registerGrantJobs(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }): void {
  const grants = new GrantsService({ ...deps, jobs });
  // (an import of a large file takes minutes: the worker's long lane keeps e-mail going meanwhile)
  jobs.register(IMPORT_JOB, (job) => grants.run(job.lioId as string, String(job.payload.importId)), { long: true });
  jobs.registerRecurring(REMATCH_JOB, REMATCH_EVERY_MS, async () => {
    for (const lio of await repo.allLios(deps.db.system)) await deps.db.withTenant(lio.id, (tx) => repo.rematch(tx));
  });
}
