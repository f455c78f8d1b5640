import { randomUUID } from 'node:crypto';
import type { Database, Queryable, Tx } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import type { DirectoryImportKind } from '../../platform/db/oruk-schema.js';
import { FIELD_LABELS, ORGANISATION_FIELDS, diffOrganisation, inputOf, type OrganisationField, type OrganisationInput } from '../organisations/record.js';
import { readOrganisationForm } from '../organisations/form.js';
import { recordOrganisationEvent } from '../organisations/repository.js';
import { findLikelyDuplicates } from '../organisations/duplicates.js';
import { loadServices } from '../services/repository.js';
import { isUuid } from '../../platform/validation/ids.js';
import { taxonomyRepository } from '../taxonomy/repository.js';
import { CsvSyntaxError, readCsvTable, toCsv, uncell } from './csv.js';
import { TermCodes, venueKey } from './service-parts.js';
import {
  MAX_ROWS, ORGANISATION_COLUMNS, SERVICE_COLUMNS, organisationBody, organisationCells, readServiceRow, serviceCells,
  type CsvImportReport, type CsvRow, type RowIssue, type ServiceColumn, type ServiceRowContext, type ServiceRowValues,
} from './form.js';
import { ISSUES_KEPT, importsRepository } from '../imports/repository.js';
import { knownVenues, registerCsvRepository as repo, replaceListedParts, venuesOf, writeParts, type ServiceColumns } from './repository.js';

export { ORGANISATION_COLUMNS, SERVICE_COLUMNS, type CsvImportReport, type RowIssue } from './form.js';

/**
 * The register as a spreadsheet: organisations and services exported as CSV, and the same files (edited, or
 * made by hand with the same columns) imported back. An import is checked row by row first; if any row is
 * wrong nothing is written and the report names each row, column and reason. A row with an id updates that
 * record; a row without one adds a record.
 */

export class RegisterCsvService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async exportOrganisations(actor: SignedInUser | null): Promise<string> {
    authorise(actor, 'directory.export');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const rows = await repo.organisationsForExport(tx);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'directory.exported', subjectType: 'organisations', detail: { rows: rows.length } }, this.deps.clock.now());
      return toCsv([...ORGANISATION_COLUMNS], rows.map((r) => organisationCells({ ...inputOf(r), id: r.id })));
    });
  }

  async exportServices(actor: SignedInUser | null): Promise<string> {
    authorise(actor, 'directory.export');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const ids = await repo.serviceIdsForExport(tx);
      const rows: string[][] = [];
      const terms = new TermCodes(await taxonomyRepository.allTerms(tx));
      // In batches, so a register of any size costs a few queries per 500 services, never some per service.
      for (let i = 0; i < ids.length; i += 500) {
        const batch = ids.slice(i, i + 500);
        const venues = await venuesOf(tx, batch);
        for (const s of await loadServices(tx, batch)) rows.push(serviceCells(s, venues.get(s.id) ?? [], terms));
      }
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'directory.exported', subjectType: 'services', detail: { rows: rows.length } }, this.deps.clock.now());
      return toCsv([...SERVICE_COLUMNS], rows);
    });
  }

  async importCsv(actor: SignedInUser | null, what: 'organisations' | 'services', file: { name: string; text: string }): Promise<CsvImportReport> {
    authorise(actor, 'directory.import');
    const kind: DirectoryImportKind = what === 'organisations' ? 'organisations_csv' : 'services_csv';
    const issues: RowIssue[] = [];
    const rejected = (message: string) => this.save(actor, { id: null, kind, source: file.name, status: 'rejected', message, created: 0, updated: 0, issues });
    let table;
    try {
      table = readCsvTable(file.text);
    } catch (err) {
      if (!(err instanceof CsvSyntaxError)) throw err;
      issues.push({ row: err.line, column: '', message: err.message.replace(/^Line \d+: /, ''), level: 'error' });
      return rejected('The file is not a CSV file that can be read. Nothing was imported.');
    }
    const columns: readonly string[] = what === 'organisations' ? ORGANISATION_COLUMNS : SERVICE_COLUMNS;
    if (table.header.length === 0) return rejected('The file is empty. Nothing was imported.');
    table.header.forEach((h, i) => {
      if (h && !columns.includes(h)) issues.push({ row: 1, column: h, message: `is not a column of the ${what} spreadsheet (columns: ${columns.join(', ')})`, level: 'error' });
      if (h && table.header.indexOf(h) !== i) issues.push({ row: 1, column: h, message: 'appears twice', level: 'error' });
    });
    if (!table.header.includes('name')) issues.push({ row: 1, column: 'name', message: 'is missing: every row needs a name', level: 'error' });
    if (table.rows.length === 0) issues.push({ row: 2, column: '', message: 'there are no rows below the header', level: 'error' });
    if (table.rows.length > MAX_ROWS) issues.push({ row: MAX_ROWS + 2, column: '', message: `a file may have at most ${MAX_ROWS.toLocaleString('en-GB')} rows`, level: 'error' });
    if (issues.length) return rejected('The file was rejected. Nothing was imported.');

    const rows = table.rows.map((r) => ({ line: r.line, get: (c: string) => uncell(r.get(c)), has: (c: string) => table.header.includes(c) }));
    try {
      return await this.deps.db.withTenant(actor.lioId, async (tx) => {
        const outcome = what === 'organisations'
          ? await this.importOrganisations(tx, actor, rows, issues)
          : await this.importServices(tx, actor, rows, issues);
        if (issues.some((i) => i.level === 'error')) throw new RowsRejected();
        return this.saveIn(tx, actor, { id: null, kind, source: file.name, status: 'completed', message: null, ...outcome, issues });
      });
    } catch (err) {
      if (err instanceof RowsRejected) {
        const n = new Set(issues.filter((i) => i.level === 'error').map((i) => i.row)).size;
        return rejected(`${n} ${n === 1 ? 'row has' : 'rows have'} problems, so nothing was imported. Put them right and import the file again.`);
      }
      throw err;
    }
  }

  private async importOrganisations(tx: Tx, actor: SignedInUser, rows: CsvRow[], issues: RowIssue[]) {
    const present = ORGANISATION_FIELDS.filter((f) => rows[0]?.has(f));
    const ids = rows.map((r) => r.get('id').trim()).filter(Boolean);
    const held = new Map((await repo.organisationsByIds(tx, ids.filter(isUuid).map((i) => i.toLowerCase()))).map((o) => [o.id, o]));
    const seen = new Set<string>();
    const planned: { row: number; id: string | null; input: OrganisationInput; before: OrganisationInput | null }[] = [];
    for (const r of rows) {
      const id = r.get('id').trim().toLowerCase() || null;
      const current = id ? held.get(id) : undefined;
      if (id) {
        if (!current) { issues.push({ row: r.line, column: 'id', message: 'names no organisation in this register: leave it blank to add a new one', level: 'error' }); continue; }
        if (current.merged_into_id) { issues.push({ row: r.line, column: 'id', message: 'is an organisation merged into another record: use the id of the one kept', level: 'error' }); continue; }
        if (seen.has(id)) { issues.push({ row: r.line, column: 'id', message: 'appears on an earlier row too', level: 'error' }); continue; }
        seen.add(id);
      }
      const before = current ? inputOf(current) : null;
      const { input, errors } = readOrganisationForm(organisationBody(r.get, present), present, before ?? undefined);
      for (const e of errors.list) issues.push({ row: r.line, column: e.href.slice(1), message: e.text, level: 'error' });
      if (!errors.any) planned.push({ row: r.line, id: current?.id ?? null, input, before });
    }
    if (issues.some((i) => i.level === 'error')) return { created: 0, updated: 0 };
    const now = this.deps.clock.now();
    let created = 0;
    let updated = 0;
    for (const p of planned) {
      if (p.id && p.before) {
        const changes = diffOrganisation(p.before, p.input);
        if (Object.keys(changes).length === 0) continue;
        await repo.updateOrganisation(tx, p.id, p.input, now);
        await recordOrganisationEvent(tx, actor.lioId, p.id, actor.displayName, 'edited', `Updated from a spreadsheet: ${Object.keys(changes).map((f) => FIELD_LABELS[f as OrganisationField]).join(', ')}`, { changes }, now);
        updated++;
      } else {
        const likely = await findLikelyDuplicates(tx, { name: p.input.name, charityNumber: p.input.charity_number, postcode: p.input.postcode });
        if (likely.length) issues.push({ row: p.row, column: 'name', message: `may already be on the register as ${likely.slice(0, 3).map((l) => `“${l.name}”`).join(', ')}: added, check it and merge if it is the same`, level: 'warning' });
        const id = await repo.insertOrganisation(tx, actor.lioId, p.input, now);
        await recordOrganisationEvent(tx, actor.lioId, id, actor.displayName, 'created', 'Added from a spreadsheet', {}, now);
        created++;
      }
    }
    return { created, updated };
  }

  private async importServices(tx: Tx, actor: SignedInUser, rows: CsvRow[], issues: RowIssue[]) {
    const has = (c: ServiceColumn) => rows[0]?.has(c) ?? false;
    const ctx = await this.serviceRowContext(tx, rows, has);
    const planned = await this.readServiceRows(tx, rows, ctx, issues);
    if (issues.some((i) => i.level === 'error')) return { created: 0, updated: 0 };
    return this.writeServiceRows(tx, actor, planned, ctx);
  }

  /** What the rows are read against, read once for the whole file. */
  private async serviceRowContext(tx: Tx, rows: CsvRow[], has: (c: ServiceColumn) => boolean): Promise<ServiceRowContext> {
    const organisations = await repo.organisationNames(tx);
    const orgById = new Map(organisations.map((o) => [o.id, o]));
    const orgsByName = new Map<string, string[]>();
    for (const o of organisations) orgsByName.set(o.name.toLowerCase(), [...(orgsByName.get(o.name.toLowerCase()) ?? []), o.id]);
    const ids = rows.map((r) => r.get('id').trim().toLowerCase()).filter(isUuid);
    const held = new Map((await repo.servicesByIds(tx, ids)).map((s) => [s.id, s]));
    const termCodes = has('taxonomy_terms') ? new TermCodes(await taxonomyRepository.allTerms(tx)) : null;
    return { has, orgById, orgsByName, held, seen: new Set<string>(), termCodes };
  }

  /** Every row checked; the rows without a problem, as they will be written. */
  private async readServiceRows(tx: Tx, rows: CsvRow[], ctx: ServiceRowContext, issues: RowIssue[]): Promise<ServiceRowValues[]> {
    const planned: ServiceRowValues[] = [];
    for (const r of rows) {
      const before = issues.length;
      const error = (column: ServiceColumn | '', message: string) => issues.push({ row: r.line, column, message, level: 'error' });
      const { values, current, unreadableVenues } = readServiceRow(r, ctx, error);
      // A line that is not a new venue is fine when it is one the service or its organisation already has.
      if (unreadableVenues.length && ctx.orgById.has(values.organisationId)) {
        const known = await knownVenues(tx, current?.id ?? null, values.organisationId);
        for (const v of unreadableVenues) if (!known.has(venueKey(v.text))) error('locations', v.problem!);
      }
      if (issues.length === before) planned.push(values);
    }
    return planned;
  }

  private async writeServiceRows(tx: Tx, actor: SignedInUser, planned: ServiceRowValues[], ctx: ServiceRowContext) {
    const now = this.deps.clock.now();
    const today = now.toISOString().slice(0, 10);
    const listed = { opening: ctx.has('opening_times'), languages: ctx.has('languages'), serviceAreas: ctx.has('service_areas') };
    let created = 0;
    let updated = 0;
    for (const p of planned) {
      const values: ServiceColumns = {
        organisation_id: p.organisationId, name: p.name, description: p.description, status: p.status, delivery_modes: p.deliveryModes, url: p.url, email: p.email,
        fees_description: p.feesDescription, is_free: p.isFree, minimum_age: p.minimumAge, maximum_age: p.maximumAge,
      };
      if (p.id) {
        const current = ctx.held.get(p.id)! as unknown as Record<string, unknown>;
        const same = (Object.keys(values) as (keyof ServiceColumns)[]).every((k) => JSON.stringify(values[k]) === JSON.stringify(current[k]));
        const partsChanged = (await replaceListedParts(tx, actor.lioId, p.id, p, listed))
          || (await writeParts(tx, actor.lioId, p.id, p.organisationId, p.parts, now));
        if (same && !partsChanged) continue;
        await repo.updateService(tx, p.id, values, now);
        updated++;
      } else {
        const id = randomUUID();
        await repo.insertService(tx, actor.lioId, id, values, now, today);
        await replaceListedParts(tx, actor.lioId, id, p, { opening: true, languages: true, serviceAreas: true });
        await writeParts(tx, actor.lioId, id, p.organisationId, p.parts, now);
        created++;
      }
    }
    return { created, updated };
  }

  private save(actor: SignedInUser, report: CsvImportReport) {
    return this.deps.db.withTenant(actor.lioId, (tx) => this.saveIn(tx, actor, report));
  }

  private async saveIn(tx: Queryable, actor: SignedInUser, report: CsvImportReport): Promise<CsvImportReport> {
    const now = this.deps.clock.now();
    const id = await importsRepository.save(tx, {
      lio_id: actor.lioId, kind: report.kind, source: report.source.slice(0, 2000), status: report.status, started_at: now, finished_at: now, actor_label: actor.email,
      counts: JSON.stringify({ created: report.created, updated: report.updated, flagged: report.issues.length, message: report.message }),
      issues: JSON.stringify(report.issues.slice(0, ISSUES_KEPT).map((i) => ({ level: i.level, record: 'row', row: i.row, field: i.column, message: i.message }))),
    });
    await recordAudit(tx, actor.lioId, auditActorOf(actor), {
      action: report.status === 'completed' ? 'directory.imported' : 'directory.import_rejected', subjectType: 'directory_import', subjectId: id,
      detail: { kind: report.kind, created: report.created, updated: report.updated, problems: report.issues.length },
    }, now);
    return { ...report, id };
  }
}

class RowsRejected extends Error {}
