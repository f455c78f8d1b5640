import type { Database, Tx } from '../../../platform/db/index.js';
import type { Clock } from '../../../platform/clock.js';
import type { ImportLimits } from '../../../platform/config.js';
import type { SignedInUser } from '../../../platform/auth/actor.js';
import { authorise } from '../../../platform/auth/policy.js';
import { recordAudit, type Actor } from '../../../platform/audit.js';
import type { DirectoryImportKind } from '../../../platform/db/oruk-schema.js';
import { findLikelyDuplicatesOfEach } from '../../organisations/duplicates.js';
import { ImportSet, type ImportIssue } from './model.js';
import { describeSource, readSource, SourceError, type OrukSource, type SourceProgress } from './sources.js';
import { importsRepository } from '../../imports/repository.js';
import { writeImportSet, writeOptionsFor, type EntityCounts } from './writer.js';

/**
 * Imports a directory from Open Referral: read the whole source, then write it in one transaction. A source
 * that cannot be read, or has an error (not a warning), is rejected and nothing is written; so is one whose
 * writing fails. The report says what was created, updated and flagged, and which new organisations look
 * like ones already held.
 */

/** Whoever runs the import: a signed-in admin on the admin page, or the operator at the command line. */
export type Importer = SignedInUser | 'operator';

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

export type ImportProgress = (p: SourceProgress | { stage: 'write'; done: number; total: number | null; message: string }) => void;

/** At most this many issues are kept with the import's record (the count says how many there were). */
export const ISSUES_KEPT = 1000;
/** New organisations checked against the register for likely duplicates, at most. */
export const DUPLICATE_CHECKS = 2000;

const zero = (): ImportReport['counts'] => ({
  organisations: { created: 0, updated: 0 }, services: { created: 0, updated: 0 }, locations: { created: 0, updated: 0 },
  taxonomies: { created: 0, updated: 0 }, taxonomy_terms: { created: 0, updated: 0 },
});

export function importerActor(importer: Importer): Actor {
  return importer === 'operator' ? { userId: null, label: 'command line' } : { userId: importer.id, label: importer.email };
}

export class OrukImportService {
  constructor(private readonly deps: { db: Database; clock: Clock; limits: ImportLimits }) {}

  async importOruk(importer: Importer, lioId: string, source: OrukSource, options: { onProgress?: ImportProgress; timeoutMs?: number } = {}): Promise<ImportReport> {
    if (importer !== 'operator') authorise(importer, 'directory.import');
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
      const read = await readSource(source, set, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), limits });
      kind = read.format === 'hsds_csv' ? 'hsds_csv' : 'oruk';
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      return this.record(lioId, importer, report('rejected', err.message), started);
    }
    if (set.errors.length) {
      return this.record(lioId, importer, report('rejected', `The import was rejected: ${set.errors.length} ${set.errors.length === 1 ? 'problem' : 'problems'} must be put right first. Nothing was imported.`), started);
    }
    if (set.services.size + set.organisations.size + set.taxonomies.size + set.terms.size + set.locations.size === 0) {
      return this.record(lioId, importer, report('rejected', 'The source held no services, organisations, locations or taxonomies to import.'), started);
    }

    try {
      return await db.withTenant(lioId, async (tx) => {
        const written = await writeImportSet(tx, lioId, set, started, (stage, done, total) => options.onProgress?.({ stage: 'write', done, total, message: `Writing ${stage}` }),
          writeOptionsFor(set, db.engine));
        const duplicates: DuplicateFlag[] = [];
        const checked = written.createdOrganisations.slice(0, DUPLICATE_CHECKS);
        const found = await findLikelyDuplicatesOfEach(tx, checked.map((o) => ({ id: o.id, name: o.name, charityNumber: o.charityNumber, postcode: o.postcode })));
        for (const [k, o] of checked.entries()) {
          const likely = found[k]!;
          if (!likely.length) continue;
          duplicates.push({ id: o.id, name: o.name, likely: likely.map((l) => ({ id: l.id, name: l.name, reasons: l.reasons })) });
          set.warning({ record: 'organization', id: o.id, name: o.name, message: `may already be on the register as ${likely.slice(0, 3).map((l) => `“${l.name}” (${l.reasons.map((r) => (r === 'charity_number' ? 'the same charity number' : 'a similar name at the same postcode')).join(', ')})`).join(', ')}: check it and merge if it is the same` });
        }
        if (written.createdOrganisations.length > DUPLICATE_CHECKS) {
          set.warning({ record: 'organization', message: `only the first ${DUPLICATE_CHECKS} of ${written.createdOrganisations.length} new organisations were checked for likely duplicates` });
        }
        const { createdOrganisations: _created, serviceIds: _ids, ...counts } = written;
        return this.save(tx, lioId, importer, report('completed', null, counts, duplicates), started);
      });
    } catch (err) {
      const reason = (err as { message?: string }).message ?? 'the database refused it';
      return this.record(lioId, importer, report('rejected', `The import could not be saved, so nothing was imported: ${reason}`), started);
    }
  }

  /** Keeps the record of a rejected import (in a transaction of its own: the import's own wrote nothing). */
  private record(lioId: string, importer: Importer, report: ImportReport, started: Date) {
    return this.deps.db.withTenant(lioId, (tx) => this.save(tx, lioId, importer, report, started));
  }

  private async save(tx: Tx, lioId: string, importer: Importer, report: ImportReport, started: Date): Promise<ImportReport> {
    const actor = importerActor(importer);
    const finished = this.deps.clock.now();
    const id = await importsRepository.save(tx, {
      lio_id: lioId, kind: report.kind, source: report.source.slice(0, 2000), status: report.status, started_at: started, finished_at: finished,
      actor_label: actor.label,
      counts: JSON.stringify({ ...report.counts, refused: report.refused, flagged: report.flagged, not_held: report.notHeld, duplicates: report.duplicates.length, message: report.message, seconds: report.seconds }),
      issues: JSON.stringify(report.issues.slice(0, ISSUES_KEPT)),
    });
    await recordAudit(tx, lioId, actor, {
      action: report.status === 'completed' ? 'directory.imported' : 'directory.import_rejected', subjectType: 'directory_import', subjectId: id,
      detail: { kind: report.kind, source: report.source.slice(0, 300), services: report.counts.services, organisations: report.counts.organisations, refused: report.refused, flagged: report.flagged },
    }, finished);
    return { ...report, id };
  }
}
