import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { GrantImportProblem } from '../../platform/db/support-schema.js';
import { grantsRepository as repo } from './repository.js';
import { readGrants, RefusedFile, type GrantFormat } from './reader.js';
import { readGrant, type GrantRecord } from './record.js';

/**
 * Imports one 360Giving file for one LIO, in one transaction: every grant is checked against the standard; a grant
 * with problems is refused on its own and named in the report (row, field, reason), the others are added or updated
 * by their identifier, its recipient matched to the register by charity or company number as it is written; grants to
 * individuals are left out. A file that cannot be read as 360Giving at all, or whose every grant is refused, commits
 * nothing. (Grants imported before are matched again when the register changes: the hourly rematch job.)
 */

/** Problems kept in the report; the count says how many more there were. */
const REPORT_MAX = 500;

/** `share` is the part of the file read so far, 0 to 1, for its progress bar: null when it cannot be told (an import another process runs). */
export interface Progress { read: number; written: number; refused: number; individuals: number; share: number | null }
export const NO_PROGRESS: Progress = Object.freeze({ read: 0, written: 0, refused: 0, individuals: 0, share: null });
export interface ImportOutcome extends Progress { status: 'imported' | 'rejected'; rejection: string | null; report: GrantImportProblem[]; matched: number }

export async function importGrantsFile(deps: { db: Database; clock: Clock }, lioId: string, importId: string, source: { file: string; format: GrantFormat },
  onProgress: (p: Progress) => void = () => {}): Promise<ImportOutcome> {
  const progress: Progress = { ...NO_PROGRESS, share: 0 };
  const report: GrantImportProblem[] = [];
  const now = deps.clock.now();
  const onRead = (share: number) => { progress.share = share; };
  try {
    return await deps.db.withTenant(lioId, async (tx) => {
      const register = await repo.registerNumbers(tx);
      const organisationOf = (r: GrantRecord) =>
        (r.recipient_charity_number ? register.charity.get(r.recipient_charity_number) : undefined) ?? (r.recipient_company_number ? register.company.get(r.recipient_company_number) : undefined) ?? null;
      let matched = 0;
      await readGrants(source.file, source.format, async (batch) => {
        // (a file may repeat an identifier: the later grant wins, as importing it again would)
        const records = new Map<string, GrantRecord & { organisation_id: string | null }>();
        for (const { row, grant } of batch) {
          progress.read++;
          const read = readGrant(grant);
          if ('individual' in read) progress.individuals++;
          else if ('problems' in read) {
            progress.refused++;
            for (const p of read.problems) if (report.length < REPORT_MAX) report.push({ row, field: p.field, message: p.message });
          } else records.set(read.record.identifier, { ...read.record, organisation_id: organisationOf(read.record) });
        }
        await repo.upsert(tx, lioId, importId, [...records.values()], now);
        for (const r of records.values()) if (r.organisation_id) matched++;
        progress.written += records.size;
        onProgress({ ...progress });
      }, onRead);
      if (progress.written === 0) throw new RefusedFile(progress.individuals === progress.read
        ? 'Every grant in the file is to an individual: those are not imported, so there was nothing to import.'
        : 'No grant in the file could be imported: each has a problem, listed below.');
      const outcome: ImportOutcome = { status: 'imported', rejection: null, report, matched, ...progress };
      await repo.finish(tx, importId, { ...outcome, now: deps.clock.now() });
      return outcome;
    });
  } catch (err) {
    if (!(err instanceof RefusedFile)) throw err;
    const outcome: ImportOutcome = { status: 'rejected', rejection: err.message, report, matched: 0, ...progress, written: 0 };
    await deps.db.withTenant(lioId, (tx) => repo.finish(tx, importId, { ...outcome, now: deps.clock.now() }));
    return outcome;
  }
}

/** Where an import's file waits for its job. */
export const importFolder = (root: string, importId: string) => path.join(root, importId);
export const importFile = (root: string, importId: string) => path.join(importFolder(root, importId), 'upload');
export const forgetFile = (root: string, importId: string) => rm(importFolder(root, importId), { recursive: true, force: true });
