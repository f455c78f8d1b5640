import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Queryable, Tx } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { recordAudit } from '../../platform/audit.js';
import { isEmail } from '../../platform/http/forms.js';
import type { DeliveryMode, ServiceStatus } from '../../platform/db/directory-schema.js';
import type { DirectoryImportKind } from '../../platform/db/oruk-schema.js';
import {
  FIELD_LABELS, GROUPS_SERVED, INCOME_BANDS, MEMBERSHIP, ORGANISATION_FIELDS, ORGANISATION_TYPES, RELATIONSHIPS, STATUSES as ORGANISATION_STATUSES,
  diffOrganisation, inputOf, isWebAddress, readOrganisationForm, type OrganisationField, type OrganisationInput,
} from '../organisation-policy.js';
import { recordOrganisationEvent } from '../organisations.js';
import { findLikelyDuplicates } from '../duplicates.js';
import { loadServices, isUuid } from '../services/repository.js';
import { DAYS, STATUSES as SERVICE_STATUSES, parseTime } from '../services/form.js';
import { DELIVERY_MODES, FORMER_DELIVERY_MODE_LABELS } from '../services/delivery-modes.js';
import { CsvSyntaxError, readCsvTable, toCsv, uncell } from './csv.js';
import { TermCodes, checkPhone, costText, knownVenues, parseCost, parseVenue, venueKey, venuesOf, writeParts, type PartsWanted } from './service-parts.js';
import { taxonomyRepository } from '../taxonomy/repository.js';

/**
 * The register as a spreadsheet: organisations and services exported as CSV, and the same files (edited, or
 * made by hand with the same columns) imported back. An import is checked row by row first; if any row is
 * wrong nothing is written and the report names each row, column and reason. A row with an id updates that
 * record; a row without one adds a record. Lists in a cell are one item per line (or separated by semicolons).
 */

export interface RowIssue { row: number; column: string; message: string; level: 'error' | 'warning' }
export interface CsvImportReport {
  id: string | null; kind: DirectoryImportKind; source: string; status: 'completed' | 'rejected'; message: string | null;
  created: number; updated: number; issues: RowIssue[];
}

const MAX_ROWS = 50_000;
const LIST_SEPARATOR = /\s*(?:\r?\n|;)\s*/;
const splitCell = (value: string) => value.split(LIST_SEPARATOR).map((v) => v.trim()).filter(Boolean);
const joinList = (values: readonly string[]) => values.join('\n');

// ---------------------------------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------------------------------

export const ORGANISATION_COLUMNS = ['id', ...ORGANISATION_FIELDS] as const;
const LABELLED: Partial<Record<OrganisationField, Record<string, string>>> = {
  organisation_type: ORGANISATION_TYPES, income_band: INCOME_BANDS, membership: MEMBERSHIP, status: ORGANISATION_STATUSES, relationship: RELATIONSHIPS,
};

/** A code from its code or its label, case as typed or not. */
function codeOf(value: string, options: Record<string, string>): string {
  if (!value || Object.hasOwn(options, value)) return value;
  const lower = value.toLowerCase();
  return Object.entries(options).find(([code, label]) => code.toLowerCase() === lower || label.toLowerCase() === lower)?.[0] ?? value;
}

function organisationCells(o: OrganisationInput & { id: string }): string[] {
  return ORGANISATION_COLUMNS.map((c) => {
    if (c === 'id') return o.id;
    const v = o[c];
    if (c === 'groups_served') return joinList((v as string[]).map((g) => GROUPS_SERVED[g] ?? g));
    if (Array.isArray(v)) return joinList(v);
    if (c === 'consent_to_publish') return v ? 'Yes' : 'No';
    const labels = LABELLED[c];
    if (labels && typeof v === 'string') return labels[v] ?? v;
    return v === null || v === undefined ? '' : String(v);
  });
}

/** A CSV row as the organisation form would have sent it. */
function organisationBody(get: (c: string) => string, present: OrganisationField[]): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const f of present) {
    const raw = get(f);
    if (f === 'themes') body[f] = splitCell(raw);
    else if (f === 'groups_served') body[f] = splitCell(raw).map((g) => codeOf(g, GROUPS_SERVED));
    else if (f === 'other_names' || f === 'areas_served') body[f] = splitCell(raw).join('\n');
    else if (f === 'consent_to_publish') body[f] = raw.trim().toLowerCase() === 'yes' || raw.trim().toLowerCase() === 'y' || raw.trim().toLowerCase() === 'true' ? 'yes'
      : ['no', 'n', 'false'].includes(raw.trim().toLowerCase()) ? 'no' : raw.trim().toLowerCase();
    else if (LABELLED[f]) body[f] = codeOf(raw.trim(), LABELLED[f]!);
    else body[f] = raw;
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------------

export const SERVICE_COLUMNS = ['id', 'organisation_id', 'organisation_name', 'name', 'description', 'status', 'delivery_modes', 'url', 'email', 'fees_description',
  'is_free', 'minimum_age', 'maximum_age', 'opening_times', 'languages', 'service_areas', 'taxonomy_terms', 'locations', 'phones', 'costs'] as const;
type ServiceColumn = typeof SERVICE_COLUMNS[number];
const SERVICE_LABELS: Record<ServiceColumn, string> = {
  id: 'id', organisation_id: 'organisation id', organisation_name: 'organisation name', name: 'name', description: 'description', status: 'status',
  delivery_modes: 'delivery modes', url: 'website', email: 'email address', fees_description: 'fees', is_free: 'free of charge', minimum_age: 'minimum age',
  maximum_age: 'maximum age', opening_times: 'opening times', languages: 'languages', service_areas: 'service areas',
  taxonomy_terms: 'categories', locations: 'venues', phones: 'phone numbers', costs: 'costs',
};
const STATUS_OPTIONS = Object.fromEntries(SERVICE_STATUSES.map((s) => [s.value, s.text]));
const MODE_OPTIONS = Object.fromEntries(DELIVERY_MODES.map((m) => [m.value, m.text]));
const DAY_OPTIONS = Object.fromEntries(DAYS.map((d) => [d.value, d.text]));

/** Weekly opening as a spreadsheet cell: "Monday 09:00-12:00", one per line. */
const openingText = (o: { day: string; opens: string; closes: string }) => `${DAY_OPTIONS[o.day] ?? o.day} ${o.opens}-${o.closes}`;

function parseOpening(line: string): { day: string; opens: string; closes: string } | null {
  const m = /^([A-Za-z]+)\s+(.+?)\s*(?:-|–|to)\s*(.+)$/.exec(line.trim());
  if (!m) return null;
  const day = codeOf(m[1]!, DAY_OPTIONS);
  const shortDay = DAYS.find((d) => d.text.slice(0, 3).toLowerCase() === m[1]!.slice(0, 3).toLowerCase() && m[1]!.length >= 3)?.value;
  const code = DAY_OPTIONS[day] ? day : shortDay;
  const opens = parseTime(m[2]!);
  const closes = parseTime(m[3]!);
  if (!code || !opens || !closes || closes <= opens) return null;
  return { day: code, opens, closes };
}

interface ServiceRowValues {
  id: string | null; organisationId: string; name: string; description: string; status: ServiceStatus; deliveryModes: DeliveryMode[];
  url: string | null; email: string | null; feesDescription: string | null; isFree: boolean; minimumAge: number | null; maximumAge: number | null;
  opening: { day: string; opens: string; closes: string }[]; languages: string[]; serviceAreas: string[]; parts: PartsWanted;
}

/** A simple weekly opening time of the service itself: what the spreadsheet shows and replaces; other schedules are left alone. */
const simpleWeekly = sql<boolean>`service_at_location_id is null and freq = 'WEEKLY' and byday ~ '^(MO|TU|WE|TH|FR|SA|SU)$' and opens_at is not null
  and closes_at is not null and valid_from is null and valid_to is null and dtstart is null`;

// ---------------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------------

export class RegisterCsvService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async exportOrganisations(actor: SignedInUser | null): Promise<string> {
    authorise(actor, 'directory.export');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const rows = await tx.selectFrom('organisations').selectAll().where('merged_into_id', 'is', null).orderBy(sql`lower(name)`).orderBy('id').execute();
      await recordAudit(tx, actor.lioId, { userId: actor.id, label: actor.email }, { action: 'directory.exported', subjectType: 'organisations', detail: { rows: rows.length } }, this.deps.clock.now());
      return toCsv([...ORGANISATION_COLUMNS], rows.map((r) => organisationCells({ ...inputOf(r), id: r.id })));
    });
  }

  async exportServices(actor: SignedInUser | null): Promise<string> {
    authorise(actor, 'directory.export');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const ids = (await tx.selectFrom('services').select('id').orderBy(sql`lower(name)`).orderBy('id').execute()).map((r) => r.id);
      const rows: string[][] = [];
      const terms = new TermCodes(await taxonomyRepository.allTerms(tx));
      for (let i = 0; i < ids.length; i += 500) {
        const batch = ids.slice(i, i + 500);
        const venues = await venuesOf(tx, batch);
        for (const s of await loadServices(tx, batch)) {
          const opening = s.schedules.filter((x) => x.service_at_location_id === null && x.freq === 'WEEKLY' && /^(MO|TU|WE|TH|FR|SA|SU)$/.test(x.byday ?? '')
            && x.opens_at && x.closes_at && !x.valid_from && !x.valid_to && !x.dtstart);
          const values: Record<ServiceColumn, string> = {
            id: s.id, organisation_id: s.organization_id, organisation_name: s.organization.name, name: s.name, description: s.description,
            status: STATUS_OPTIONS[s.status] ?? s.status, delivery_modes: joinList(s.delivery_modes.map((m) => MODE_OPTIONS[m] ?? m)), url: s.url ?? '',
            email: s.email ?? '', fees_description: s.fees_description ?? '', is_free: s.is_free ? 'Yes' : 'No', minimum_age: s.minimum_age?.toString() ?? '',
            maximum_age: s.maximum_age?.toString() ?? '',
            opening_times: joinList(opening.map((o) => openingText({ day: o.byday!, opens: o.opens_at!.slice(0, 5), closes: o.closes_at!.slice(0, 5) }))),
            languages: joinList(s.languages.map((l) => l.name).filter((n): n is string => Boolean(n))),
            service_areas: joinList(s.service_areas.map((a) => a.name).filter((n): n is string => Boolean(n))),
            taxonomy_terms: joinList(s.attributes.map((a) => terms.text(a.taxonomy_term_id))),
            locations: joinList(venues.get(s.id) ?? []),
            phones: joinList(s.phones.map((p) => p.number)),
            costs: joinList(s.cost_options.filter((c) => c.option || c.amount !== null).map((c) => costText({ option: c.option ?? 'Cost', amount: c.amount }))),
          };
          rows.push(SERVICE_COLUMNS.map((c) => values[c]));
        }
      }
      await recordAudit(tx, actor.lioId, { userId: actor.id, label: actor.email }, { action: 'directory.exported', subjectType: 'services', detail: { rows: rows.length } }, this.deps.clock.now());
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
    const held = new Map((ids.filter(isUuid).length
      ? await tx.selectFrom('organisations').selectAll().where('id', 'in', ids.filter(isUuid).map((i) => i.toLowerCase())).execute() : []).map((o) => [o.id, o]));
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
        await tx.updateTable('organisations').set({ ...p.input, updated_at: now }).where('id', '=', p.id).execute();
        await recordOrganisationEvent(tx, actor.lioId, p.id, actor.displayName, 'edited', `Updated from a spreadsheet: ${Object.keys(changes).map((f) => FIELD_LABELS[f as OrganisationField]).join(', ')}`, { changes }, now);
        updated++;
      } else {
        const likely = await findLikelyDuplicates(tx, { name: p.input.name, charityNumber: p.input.charity_number, postcode: p.input.postcode });
        if (likely.length) issues.push({ row: p.row, column: 'name', message: `may already be on the register as ${likely.slice(0, 3).map((l) => `“${l.name}”`).join(', ')}: added, check it and merge if it is the same`, level: 'warning' });
        const row = await tx.insertInto('organisations').values({ lio_id: actor.lioId, ...p.input, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
        await recordOrganisationEvent(tx, actor.lioId, row.id, actor.displayName, 'created', 'Added from a spreadsheet', {}, now);
        created++;
      }
    }
    return { created, updated };
  }

  private async importServices(tx: Tx, actor: SignedInUser, rows: CsvRow[], issues: RowIssue[]) {
    const has = (c: ServiceColumn) => rows[0]?.has(c) ?? false;
    const error = (row: number, column: ServiceColumn | '', message: string) => issues.push({ row, column, message, level: 'error' });
    const organisations = await tx.selectFrom('organisations').select(['id', 'name']).where('merged_into_id', 'is', null).execute();
    const orgById = new Map(organisations.map((o) => [o.id, o]));
    const orgsByName = new Map<string, string[]>();
    for (const o of organisations) orgsByName.set(o.name.toLowerCase(), [...(orgsByName.get(o.name.toLowerCase()) ?? []), o.id]);
    const ids = rows.map((r) => r.get('id').trim().toLowerCase()).filter(isUuid);
    const held = new Map((ids.length ? await tx.selectFrom('services').selectAll().where('id', 'in', ids).execute() : []).map((s) => [s.id, s]));
    const seen = new Set<string>();
    const planned: ServiceRowValues[] = [];
    const termCodes = has('taxonomy_terms') ? new TermCodes(await taxonomyRepository.allTerms(tx)) : null;
    for (const r of rows) {
      const line = r.line;
      const before = issues.length;
      const id = r.get('id').trim().toLowerCase() || null;
      const current = id ? held.get(id) : undefined;
      if (id && !current) error(line, 'id', 'names no service in this register: leave it blank to add a new one');
      else if (id && seen.has(id)) error(line, 'id', 'appears on an earlier row too');
      if (id) seen.add(id);
      let organisationId = r.get('organisation_id').trim().toLowerCase();
      const organisationName = r.get('organisation_name').trim();
      if (organisationId) {
        // the id decides: a name that differs (the organisation was renamed) is not an error
        if (!orgById.has(organisationId)) error(line, 'organisation_id', 'names no organisation in this register');
      } else if (organisationName) {
        const matches = orgsByName.get(organisationName.toLowerCase()) ?? [];
        if (matches.length === 0) error(line, 'organisation_name', `“${organisationName}” is not an organisation in this register: add it first, or give its id`);
        else if (matches.length > 1) error(line, 'organisation_name', `more than one organisation is called “${organisationName}”: give the organisation_id instead`);
        else organisationId = matches[0]!;
      } else if (current) organisationId = current.organisation_id;
      else error(line, 'organisation_name', 'is empty: say which organisation runs the service (organisation_name or organisation_id)');

      const text = (c: ServiceColumn, max: number, required = false) => {
        const v = has(c) ? r.get(c).trim() : null;
        if (v === null) return null;
        if (required && !v) error(line, c, `is empty: enter the ${SERVICE_LABELS[c]}`);
        else if (v.length > max) error(line, c, `must be ${max.toLocaleString('en-GB')} characters or fewer`);
        return v;
      };
      const name = text('name', 300, true) ?? '';
      const description = text('description', 10_000) ?? current?.description ?? '';
      const statusText = has('status') ? r.get('status').trim() : '';
      const status = (statusText ? codeOf(statusText, STATUS_OPTIONS) : current?.status ?? 'active') as ServiceStatus;
      if (!STATUS_OPTIONS[status]) error(line, 'status', `“${statusText}” is not a status: use ${SERVICE_STATUSES.map((s) => s.text).join(', ')}`);
      let deliveryModes = current?.delivery_modes ?? [];
      if (has('delivery_modes')) {
        const modes = splitCell(r.get('delivery_modes')).map((m) => FORMER_DELIVERY_MODE_LABELS[m.toLowerCase()] ?? codeOf(m, MODE_OPTIONS));
        const unknown = modes.filter((m) => !MODE_OPTIONS[m]);
        if (unknown.length) error(line, 'delivery_modes', `“${unknown.join('”, “')}” ${unknown.length === 1 ? 'is not a delivery mode' : 'are not delivery modes'}: use ${DELIVERY_MODES.map((m) => m.text).join(', ')}`);
        deliveryModes = [...new Set(modes)] as DeliveryMode[];
      }
      const url = has('url') ? r.get('url').trim() || null : current?.url ?? null;
      if (has('url') && url && (url.length > 500 || !isWebAddress(url))) error(line, 'url', 'is not a website address: write it in full, like https://www.example.org');
      const email = has('email') ? r.get('email').trim() || null : current?.email ?? null;
      if (has('email') && email && !isEmail(email)) error(line, 'email', 'is not an email address, like name@example.org');
      const feesDescription = has('fees_description') ? text('fees_description', 10_000) || null : current?.fees_description ?? null;
      let isFree = current?.is_free ?? false;
      if (has('is_free')) {
        const v = r.get('is_free').trim().toLowerCase();
        if (['yes', 'y', 'true', '1'].includes(v)) isFree = true;
        else if (['no', 'n', 'false', '0', ''].includes(v)) isFree = false;
        else error(line, 'is_free', `“${r.get('is_free')}” is not Yes or No`);
      }
      const age = (c: 'minimum_age' | 'maximum_age', held: number | null) => {
        if (!has(c)) return held;
        const v = r.get(c).trim();
        if (!v) return null;
        if (!/^\d{1,3}$/.test(v) || Number(v) > 130) { error(line, c, `“${v}” is not an age in whole years from 0 to 130`); return null; }
        return Number(v);
      };
      const minimumAge = age('minimum_age', current?.minimum_age ?? null);
      const maximumAge = age('maximum_age', current?.maximum_age ?? null);
      if (minimumAge !== null && maximumAge !== null && minimumAge > maximumAge) error(line, 'maximum_age', 'is below the minimum age');
      const opening: ServiceRowValues['opening'] = [];
      if (has('opening_times')) {
        for (const part of splitCell(r.get('opening_times'))) {
          const o = parseOpening(part);
          if (!o) error(line, 'opening_times', `“${part}” is not an opening time: write a day and times, like Monday 09:00-12:00`);
          else opening.push(o);
        }
      }
      const languages = has('languages') ? splitCell(r.get('languages')) : [];
      if (languages.some((l) => l.length > 100)) error(line, 'languages', 'each language must be 100 characters or fewer');
      const serviceAreas = has('service_areas') ? splitCell(r.get('service_areas')) : [];
      if (serviceAreas.some((a) => a.length > 200)) error(line, 'service_areas', 'each area must be 200 characters or fewer');
      const parts = readParts(r, has, termCodes, (column, message) => error(line, column, message));
      if (isFree && parts.costs?.some((c) => (c.amount ?? 0) > 0)) error(line, 'costs', 'has a price, but the service is free of charge: remove the price, or put No under is_free');
      const unreadable = parts.venues?.filter((v) => v.problem) ?? [];
      if (unreadable.length && orgById.has(organisationId)) {
        const known = await knownVenues(tx, current?.id ?? null, organisationId);
        for (const v of unreadable) if (!known.has(venueKey(v.text))) error(line, 'locations', v.problem!);
      }
      if (issues.length === before) {
        planned.push({ id: current?.id ?? null, organisationId, name, description, status, deliveryModes, url, email, feesDescription, isFree, minimumAge, maximumAge, opening, languages, serviceAreas, parts });
      }
    }
    if (issues.some((i) => i.level === 'error')) return { created: 0, updated: 0 };

    const now = this.deps.clock.now();
    const today = now.toISOString().slice(0, 10);
    let created = 0;
    let updated = 0;
    for (const p of planned) {
      const values = {
        organisation_id: p.organisationId, name: p.name, description: p.description, status: p.status, delivery_modes: p.deliveryModes, url: p.url, email: p.email,
        fees_description: p.feesDescription, is_free: p.isFree, minimum_age: p.minimumAge, maximum_age: p.maximumAge,
      };
      let id = p.id;
      if (id) {
        const current = held.get(id)!;
        const same = (Object.keys(values) as (keyof typeof values)[]).every((k) => JSON.stringify(values[k]) === JSON.stringify(current[k]));
        const partsChanged = (await this.replaceParts(tx, actor.lioId, id, p, { opening: has('opening_times'), languages: has('languages'), serviceAreas: has('service_areas') }))
          || (await writeParts(tx, actor.lioId, id, p.organisationId, p.parts, now));
        if (same && !partsChanged) continue;
        await tx.updateTable('services').set({ ...values, updated_at: now }).where('id', '=', id).execute();
        updated++;
      } else {
        id = randomUUID();
        await tx.insertInto('services').values({ id, lio_id: actor.lioId, ...values, created_at: now, updated_at: now }).execute();
        await tx.insertInto('service_delivery_changes').values({ lio_id: actor.lioId, service_id: id, changed_on: today, delivery_modes: p.deliveryModes, status: p.status, note: 'Added from a spreadsheet' }).execute();
        await this.replaceParts(tx, actor.lioId, id, p, { opening: true, languages: true, serviceAreas: true });
        await writeParts(tx, actor.lioId, id, p.organisationId, p.parts, now);
        created++;
      }
    }
    return { created, updated };
  }

  /** The parts the spreadsheet holds: simple weekly opening times, languages and service areas (by name; other details of each are kept). Returns whether anything changed. */
  private async replaceParts(tx: Tx, lioId: string, serviceId: string, p: ServiceRowValues, columns: { opening: boolean; languages: boolean; serviceAreas: boolean }): Promise<boolean> {
    let changed = false;
    if (columns.opening) {
      const held = await tx.selectFrom('schedules').select(['id', 'byday', sql<string>`to_char(opens_at, 'HH24:MI')`.as('opens'), sql<string>`to_char(closes_at, 'HH24:MI')`.as('closes')])
        .where('service_id', '=', serviceId).where(simpleWeekly).execute();
      const key = (o: { day: string; opens: string; closes: string }) => `${o.day} ${o.opens} ${o.closes}`;
      const want = new Set(p.opening.map(key));
      const have = new Set(held.map((h) => key({ day: h.byday!, opens: h.opens, closes: h.closes })));
      const gone = held.filter((h) => !want.has(key({ day: h.byday!, opens: h.opens, closes: h.closes }))).map((h) => h.id);
      const added = p.opening.filter((o) => !have.has(key(o)));
      if (gone.length) await tx.deleteFrom('schedules').where('id', 'in', gone).execute();
      if (added.length) await tx.insertInto('schedules').values(added.map((o) => ({ lio_id: lioId, service_id: serviceId, freq: 'WEEKLY' as const, interval: 1, byday: o.day, opens_at: o.opens, closes_at: o.closes }))).execute();
      changed ||= gone.length > 0 || added.length > 0;
    }
    const byName = async (table: 'languages' | 'service_areas', names: string[]) => {
      const held = await tx.selectFrom(table).select(['id', 'name']).where('service_id', '=', serviceId).execute();
      const want = new Set(names.map((n) => n.toLowerCase()));
      const have = new Set(held.map((h) => (h.name ?? '').toLowerCase()));
      const gone = held.filter((h) => !want.has((h.name ?? '').toLowerCase())).map((h) => h.id);
      const added = [...new Map(names.filter((n) => !have.has(n.toLowerCase())).map((n) => [n.toLowerCase(), n])).values()];
      if (gone.length) await tx.deleteFrom(table).where('id', 'in', gone).execute();
      if (added.length) await tx.insertInto(table).values(added.map((name) => ({ lio_id: lioId, service_id: serviceId, name }))).execute();
      return gone.length > 0 || added.length > 0;
    };
    if (columns.languages) changed = (await byName('languages', p.languages)) || changed;
    if (columns.serviceAreas) changed = (await byName('service_areas', p.serviceAreas)) || changed;
    return changed;
  }

  private save(actor: SignedInUser, report: CsvImportReport) {
    return this.deps.db.withTenant(actor.lioId, (tx) => this.saveIn(tx, actor, report));
  }

  private async saveIn(tx: Queryable, actor: SignedInUser, report: CsvImportReport): Promise<CsvImportReport> {
    const now = this.deps.clock.now();
    const row = await tx.insertInto('directory_imports').values({
      lio_id: actor.lioId, kind: report.kind, source: report.source.slice(0, 2000), status: report.status, started_at: now, finished_at: now, actor_label: actor.email,
      counts: JSON.stringify({ created: report.created, updated: report.updated, flagged: report.issues.length, message: report.message }),
      issues: JSON.stringify(report.issues.slice(0, 1000).map((i) => ({ level: i.level, record: 'row', row: i.row, field: i.column, message: i.message }))),
    }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(tx, actor.lioId, { userId: actor.id, label: actor.email }, {
      action: report.status === 'completed' ? 'directory.imported' : 'directory.import_rejected', subjectType: 'directory_import', subjectId: row.id,
      detail: { kind: report.kind, created: report.created, updated: report.updated, problems: report.issues.length },
    }, now);
    return { ...report, id: row.id };
  }
}

type CsvRow = { line: number; get: (c: string) => string; has: (c: string) => boolean };

/** The categories, venues, phones and costs cells of a row; a column missing from the file leaves that part as it is. */
function readParts(r: CsvRow, has: (c: ServiceColumn) => boolean, termCodes: TermCodes | null, error: (column: ServiceColumn, message: string) => void): PartsWanted {
  const cell = (c: ServiceColumn) => (has(c) ? splitCell(r.get(c)) : null);
  const termIds = cell('taxonomy_terms')?.flatMap((written) => {
    const found = termCodes!.find(written);
    if ('error' in found) { error('taxonomy_terms', found.error); return []; }
    return [found.id];
  }) ?? null;
  // An address holds commas and may hold semicolons: venues are one per line only.
  const venues = has('locations') ? r.get('locations').split(/\r?\n/).map((v) => v.trim()).filter(Boolean).map((text) => {
    const parsed = parseVenue(text);
    return { text, parsed: 'venue' in parsed ? parsed.venue : null, problem: 'error' in parsed ? parsed.error : null };
  }) : null;
  const phones = cell('phones');
  for (const n of phones ?? []) { const problem = checkPhone(n); if (problem) error('phones', problem); }
  const costs = cell('costs')?.flatMap((line) => {
    const parsed = parseCost(line);
    if ('error' in parsed) { error('costs', parsed.error); return []; }
    return [parsed.cost];
  }) ?? null;
  return { termIds: termIds && [...new Set(termIds)], venues, phones, costs };
}
class RowsRejected extends Error {}
