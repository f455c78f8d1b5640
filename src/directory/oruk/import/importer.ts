import type { Database, Tx } from '../../../platform/db/index.js';
import type { Clock } from '../../../platform/clock.js';
import type { ImportLimits } from '../../../platform/config.js';
import type { SignedInUser } from '../../../platform/auth/actor.js';
import { authorise } from '../../../platform/auth/policy.js';
import { recordAudit, type Actor } from '../../../platform/audit.js';
import type { DirectoryImportKind } from '../../../platform/db/oruk-schema.js';
import { findLikelyDuplicatesOfEach } from '../../organisations/duplicates.js';
import path from 'node:path';
import { ImportSet, type ImpService, type ImportIssue } from './model.js';
import { checkTotal, describeSource, ignoredFile, readSource, SourceError, streamedJsonFiles, type OrukSource, type SourceProgress } from './sources.js';
import { ISSUES_KEPT, importsRepository } from '../../imports/repository.js';
import { noEarlierRecords, rememberWritten, writeImportSet, writeOptionsFor, type EntityCounts } from './writer.js';
import { JsonReader } from './json.js';
import { MalformedJson, streamJsonRecords } from './stream.js';
import { held, keepIndexMergesSmall, letOthersRun, limitStatementRows } from './repository.js';

/**
 * Imports a directory from Open Referral, all or nothing, in one transaction. A feed (its pages parsed as they
 * arrive), a CSV package (at most WHOLE_SOURCE_MAX_BYTES) and files given as text are read into one set of records,
 * then written; JSON files on disk (the command line's, or an upload kept for its job) are read as a stream and written
 * a batch of records at a time as they are read, so that memory stays flat whatever their size. A source
 * that cannot be read (even part way through), or has an error (not a warning), is rejected and nothing is written;
 * so is one whose writing fails. The report says what was created, updated and flagged, and which new organisations
 * look like ones already held.
 */

/** An admin's import run later by the job queue: their permission was checked when they asked for it. */
export interface QueuedImporter { queuedBy: { userId: string; label: string } }

/** Whoever runs the import: a signed-in admin, the operator at the command line, or the job an admin queued. */
export type Importer = SignedInUser | 'operator' | QueuedImporter;

/** A streamed import's records so far, for its progress page. */
export interface RecordProgress { stage: 'records'; done: number; total: null; read: number; written: number; refused: number; message: string }

export interface DuplicateFlag { id: string; name: string; likely: { id: string; name: string; reasons: string[] }[] }

export interface ImportReport {
  id: string | null;
  kind: DirectoryImportKind;
  source: string;
  status: 'completed' | 'rejected';
  /** why it was rejected, when it was */
  message: string | null;
  counts: Record<'organisations' | 'services' | 'locations' | 'taxonomies' | 'taxonomy_terms', EntityCounts>;
  /** records that break the standard and were not imported (the rest were), each listed in `issues` */
  refused: number;
  /** everything listed: refusals and warnings */
  flagged: number;
  issues: ImportIssue[];
  notHeld: { what: string; count: number }[];
  duplicates: DuplicateFlag[];
  seconds: number;
}

export type ImportProgress = (p: SourceProgress | RecordProgress | { stage: 'write'; done: number; total: number | null; message: string }) => void;

export interface ImportOptions {
  onProgress?: ImportProgress;
  timeoutMs?: number;
  /** the import's record, made when it was queued, which the report completes */
  importId?: string;
  /** records written per batch of a streamed import */
  batchRecords?: number;
}

/**
 * Records of a streamed import written at a time. Each statement of a batch is short (on the embedded engine it holds
 * the process while it runs), and what a batch holds in memory is bounded by it.
 */
export const BATCH_RECORDS = 400;

/** Rows a statement of a streamed import writes at most: about 80 ms for services on the embedded engine. */
const STATEMENT_ROWS = 100;

/** A streamed import found it cannot go on: its transaction is rolled back and this is the report's message. */
class Rejection extends Error {}

/** New organisations checked against the register for likely duplicates, at most. */
export const DUPLICATE_CHECKS = 2000;

const zero = (): ImportReport['counts'] => ({
  organisations: { created: 0, updated: 0 }, services: { created: 0, updated: 0 }, locations: { created: 0, updated: 0 },
  taxonomies: { created: 0, updated: 0 }, taxonomy_terms: { created: 0, updated: 0 },
});

export function importerActor(importer: Importer): Actor {
  if (importer === 'operator') return { userId: null, label: 'command line' };
  if ('queuedBy' in importer) return importer.queuedBy;
  return { userId: importer.id, label: importer.email };
}

const NOTHING_HELD = 'The source held no services, organisations, locations or taxonomies to import.';

const mustBePutRight = (n: number) => `The import was rejected: ${n} ${n === 1 ? 'problem' : 'problems'} must be put right first. Nothing was imported.`;

function notSaved(err: unknown): string {
  return `The import could not be saved, so nothing was imported: ${(err as { message?: string }).message ?? 'the database refused it'}`;
}

export class OrukImportService {
  constructor(private readonly deps: { db: Database; clock: Clock; limits: ImportLimits }) {}

  async importOruk(importer: Importer, lioId: string, source: OrukSource, options: ImportOptions = {}): Promise<ImportReport> {
    if (importer !== 'operator' && !('queuedBy' in importer)) authorise(importer, 'directory.import');
    const { db, clock } = this.deps;
    const started = clock.now();
    const t0 = performance.now();
    const set = new ImportSet();
    const label = describeSource(source);
    let kind: DirectoryImportKind = source.kind === 'files' && source.files.every((f) => /\.csv$/i.test(f.name)) ? 'hsds_csv' : 'oruk';
    const report = (status: ImportReport['status'], message: string | null, counts = zero(), duplicates: DuplicateFlag[] = []): ImportReport => ({
      id: null, kind, source: label, status, message, counts, refused: set.refusals.length, flagged: set.issues.length, issues: set.issues,
      notHeld: [...set.notHeld].map(([what, count]) => ({ what, count })), duplicates, seconds: (performance.now() - t0) / 1000,
    });

    try {
      const limits = options.timeoutMs ? { ...this.deps.limits, timeoutMs: options.timeoutMs } : this.deps.limits;
      const streamed = await streamedJsonFiles(source, limits);
      if (streamed) return await this.importStreamed(importer, lioId, label, streamed.json, options, streamed.ignored);
      const read = await readSource(source, set, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), limits });
      kind = read.format === 'hsds_csv' ? 'hsds_csv' : 'oruk';
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      return this.record(lioId, importer, report('rejected', err.message), started, options.importId);
    }
    if (set.errors.length) {
      return this.record(lioId, importer, report('rejected', mustBePutRight(set.errors.length)), started, options.importId);
    }
    if (set.services.size + set.organisations.size + set.taxonomies.size + set.terms.size + set.locations.size === 0) {
      return this.record(lioId, importer, report('rejected', NOTHING_HELD), started, options.importId);
    }

    try {
      return await db.withTenant(lioId, async (tx) => {
        const written = await writeImportSet(tx, lioId, set, started, (stage, done, total) => options.onProgress?.({ stage: 'write', done, total, message: `Writing ${stage}` }),
          writeOptionsFor(set, db.engine));
        const duplicates = await this.flagDuplicates(tx, written.createdOrganisations, written.createdOrganisations.length, (issue) => set.warning(issue));
        const { createdOrganisations: _created, serviceIds: _ids, ...counts } = written;
        return this.save(tx, lioId, importer, report('completed', null, counts, duplicates), started, options.importId);
      });
    } catch (err) {
      return this.record(lioId, importer, report('rejected', notSaved(err)), started, options.importId);
    }
  }

  /**
   * A JSON file (or files) read as a stream and written a batch at a time, all in one transaction: whatever stops it
   * part way (text that is not JSON, an error, the database) rolls back every batch written before.
   */
  private async importStreamed(importer: Importer, lioId: string, label: string, files: string[], options: ImportOptions, ignored: string[]): Promise<ImportReport> {
    const { db, clock } = this.deps;
    const started = clock.now();
    const t0 = performance.now();
    const batchRecords = options.batchRecords ?? BATCH_RECORDS;
    const counts = zero();
    const issues: ImportIssue[] = ignored.map((name) => ({ level: 'warning', ...ignoredFile(name) }));
    const notHeld = new Map<string, number>();
    const createdOrganisations: { id: string; name: string; charityNumber: string | null; postcode: string | null }[] = [];
    let created = 0;
    let refused = 0;
    let read = 0;
    let written = 0;
    const report = (status: ImportReport['status'], message: string | null, duplicates: DuplicateFlag[] = []): ImportReport => ({
      id: null, kind: 'oruk', source: label, status, message, counts, refused, flagged: issues.length, issues,
      notHeld: [...notHeld].map(([what, count]) => ({ what, count })), duplicates, seconds: (performance.now() - t0) / 1000,
    });
    const tell = (message: string) => options.onProgress?.({ stage: 'records', done: read, total: null, read, written, refused, message });
    /** A batch's issues and counts, kept once it is written; the batch itself is let go. */
    const absorb = (set: ImportSet) => {
      refused += set.refusals.length;
      issues.push(...set.issues);
      for (const [what, n] of set.notHeld) notHeld.set(what, (notHeld.get(what) ?? 0) + n);
    };
    try {
      return await db.withTenant(lioId, async (tx) => {
        limitStatementRows(tx, STATEMENT_ROWS);
        await keepIndexMergesSmall(tx);
        const earlier = noEarlierRecords();
        const waiting = new Map<string, ImpService>();
        for (const file of files) {
          const name = path.basename(file);
          let set = new ImportSet();
          let reader = new JsonReader(set);
          const flush = async (last = false) => {
            if (set.errors.length) {
              absorb(set);
              throw new Rejection(mustBePutRight(set.errors.length));
            }
            await holdBackServicesBeforeTheirOrganisation(tx, set, earlier, waiting, last);
            const wrote = await writeImportSet(tx, lioId, set, started, undefined, { referenceChecks: 'row', earlier });
            for (const k of Object.keys(counts) as (keyof typeof counts)[]) {
              counts[k].created += wrote[k].created;
              counts[k].updated += wrote[k].updated;
              written += wrote[k].created + wrote[k].updated;
            }
            created += wrote.createdOrganisations.length;
            for (const o of wrote.createdOrganisations) if (createdOrganisations.length < DUPLICATE_CHECKS) createdOrganisations.push(o);
            rememberWritten(earlier, set);
            absorb(set);
            set = new ImportSet();
            reader = new JsonReader(set);
            tell(`Read ${read.toLocaleString('en-GB')} records of ${name}: ${written.toLocaleString('en-GB')} written, ${refused.toLocaleString('en-GB')} refused`);
            await letOthersRun();
          };
          let doc;
          try {
            doc = await streamJsonRecords(file, async (items, oneZero) => {
              for (const item of items) {
                reader.add(item, { oneZero, source: name });
                read++;
                if (set.services.size + set.organisations.size + set.locations.size + set.terms.size >= batchRecords) await flush();
              }
            });
          } catch (err) {
            if (!(err instanceof MalformedJson)) throw err;
            issues.push({ level: 'error', record: 'file', file: name, message: `${name} is not valid JSON: ${err.message}` });
            throw new Rejection(mustBePutRight(1));
          }
          if (doc.apiDetails) {
            issues.push({ level: 'error', record: 'file', file: name, message: `${name} describes an API (its version and OpenAPI address) but holds no records: give the feed’s address instead` });
            throw new Rejection(mustBePutRight(1));
          }
          if (doc.paging && (doc.paging.totalPages === null || doc.paging.totalPages <= 1)) checkTotal(set, name, doc.paging.totalItems, doc.items);
          await flush(file === files.at(-1));
        }
        if (written === 0) throw new Rejection(NOTHING_HELD);
        tell('Checking new organisations against the register');
        const duplicates = await this.flagDuplicates(tx, createdOrganisations, created, (issue) => issues.push({ level: 'warning', ...issue }));
        return this.save(tx, lioId, importer, report('completed', null, duplicates), started, options.importId);
      });
    } catch (err) {
      return this.record(lioId, importer, report('rejected', err instanceof Rejection ? err.message : notSaved(err)), started, options.importId);
    }
  }

  /** New organisations that look like ones already on the register (the first DUPLICATE_CHECKS of `total`), each flagged. */
  private async flagDuplicates(tx: Tx, checked: { id: string; name: string; charityNumber: string | null; postcode: string | null }[], total: number,
    flag: (issue: Omit<ImportIssue, 'level'>) => void): Promise<DuplicateFlag[]> {
    const duplicates: DuplicateFlag[] = [];
    const found = await findLikelyDuplicatesOfEach(tx, checked.slice(0, DUPLICATE_CHECKS).map((o) => ({ id: o.id, name: o.name, charityNumber: o.charityNumber, postcode: o.postcode })));
    for (const [k, o] of checked.slice(0, DUPLICATE_CHECKS).entries()) {
      const likely = found[k]!;
      if (!likely.length) continue;
      duplicates.push({ id: o.id, name: o.name, likely: likely.map((l) => ({ id: l.id, name: l.name, reasons: l.reasons })) });
      flag({ record: 'organization', id: o.id, name: o.name, message: `may already be on the register as ${likely.slice(0, 3).map((l) => `“${l.name}” (${l.reasons.map((r) => (r === 'charity_number' ? 'the same charity number' : 'a similar name at the same postcode')).join(', ')})`).join(', ')}: check it and merge if it is the same` });
    }
    if (total > DUPLICATE_CHECKS) {
      flag({ record: 'organization', message: `only the first ${DUPLICATE_CHECKS} of ${total} new organisations were checked for likely duplicates` });
    }
    return duplicates;
  }

  /** Keeps the record of a rejected import (in a transaction of its own: the import's own wrote nothing). */
  private record(lioId: string, importer: Importer, report: ImportReport, started: Date, importId?: string) {
    return this.deps.db.withTenant(lioId, (tx) => this.save(tx, lioId, importer, report, started, importId));
  }

  private async save(tx: Tx, lioId: string, importer: Importer, report: ImportReport, started: Date, importId?: string): Promise<ImportReport> {
    const actor = importerActor(importer);
    const finished = this.deps.clock.now();
    const values = {
      kind: report.kind, source: report.source.slice(0, 2000), status: report.status, finished_at: finished,
      counts: JSON.stringify({ ...report.counts, refused: report.refused, flagged: report.flagged, not_held: report.notHeld, duplicates: report.duplicates.length, message: report.message, seconds: report.seconds }),
      issues: JSON.stringify(report.issues.slice(0, ISSUES_KEPT)),
    };
    const id = importId
      ? (await importsRepository.finish(tx, importId, values), importId)
      : await importsRepository.save(tx, { lio_id: lioId, started_at: started, actor_label: actor.label, ...values });
    await recordAudit(tx, lioId, actor, {
      action: report.status === 'completed' ? 'directory.imported' : 'directory.import_rejected', subjectType: 'directory_import', subjectId: id,
      detail: { kind: report.kind, source: report.source.slice(0, 300), services: report.counts.services, organisations: report.counts.organisations, refused: report.refused, flagged: report.flagged },
    }, finished);
    return { ...report, id };
  }
}

/** Services held back for their organisation at most: past it, a service is written (and refused) as before. */
const MAX_WAITING_SERVICES = 50_000;

/**
 * A flat list may name a service's organisation (by organization_id) after the service, in a later batch of a streamed
 * import. Such a service waits, out of its batch, until its organisation has been read; at the end of the import the
 * ones still waiting are written with the last batch, where the writer refuses each whose organisation never came.
 */
async function holdBackServicesBeforeTheirOrganisation(tx: Tx, set: ImportSet, earlier: ReturnType<typeof noEarlierRecords>, waiting: Map<string, ImpService>, last: boolean): Promise<void> {
  for (const [ext, service] of waiting) {
    if (!last && !set.organisations.has(service.orgExt)) continue;
    // (a record met again later is newer than the one that waited)
    if (!set.services.has(ext)) set.services.set(ext, service);
    waiting.delete(ext);
  }
  if (last) return;
  const unknown = [...set.services.values()].filter((s) => !set.organisations.has(s.orgExt) && !earlier.organisations.has(s.orgExt));
  if (unknown.length === 0) return;
  const onRegister = await held(tx, 'organisations', [...new Set(unknown.map((s) => s.orgExt))]);
  for (const service of unknown) {
    if (onRegister.has(service.orgExt) || waiting.size >= MAX_WAITING_SERVICES) continue;
    waiting.set(service.ext, service);
    set.services.delete(service.ext);
  }
}
