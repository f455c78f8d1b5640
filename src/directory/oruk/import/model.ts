import type { ServiceStatus } from '../../../platform/db/directory-schema.js';

/**
 * What an import read, before any of it is written: the records of a feed (ORUK 3.0 JSON, an ORUK 1.0-era
 * feed, or the HSDS tabular CSV package) in one shape, keyed by the feed's own identifiers ("ext"), with every
 * problem found on the way.
 */

export interface ImportIssue {
  /**
   * error: the source cannot be imported at all (not JSON, a broken page), so nothing is; refused: this record breaks
   * the standard (no name, no organisation) and is not imported, the rest are; warning: the record is imported as described
   */
  level: 'error' | 'refused' | 'warning';
  /** the kind of record: service, organization, location, taxonomy, taxonomy_term, file, … */
  record: string;
  /** the record's id in the feed */
  id?: string;
  name?: string;
  /** a CSV file's row (line) number and column */
  file?: string;
  row?: number;
  field?: string;
  message: string;
}

export interface ImpAttribute { ext: string | null; termKey: string; linkType: string | null; value: string | null }
export interface ImpLanguage { ext: string | null; name: string | null; code: string | null; note: string | null; phoneExt: string | null }
export interface ImpPhone { ext: string | null; number: string; extension: string | null; type: string | null; description: string | null; languages: ImpLanguage[] }
export interface ImpContact { ext: string | null; name: string | null; title: string | null; department: string | null; email: string | null; phones: ImpPhone[] }
export interface ImpSchedule {
  ext: string | null; validFrom: string | null; validTo: string | null; dtstart: string | null; freq: 'WEEKLY' | 'MONTHLY' | null; interval: number | null;
  byday: string | null; bymonthday: string | null; opensAt: string | null; closesAt: string | null; description: string | null; notes: string | null;
  attendingType: string | null; scheduleLink: string | null;
}
export interface ImpCostOption {
  ext: string | null; validFrom: string | null; validTo: string | null; option: string | null; amount: number | null; currency: string | null; amountDescription: string | null;
}
export interface ImpServiceArea { ext: string | null; name: string | null; description: string | null; extent: string | null; extentType: string | null; uri: string | null; serviceArea: string | null }
export interface ImpFunding { ext: string | null; source: string | null }
export interface ImpIdentifier { ext: string | null; scheme: string | null; type: string; identifier: string }

export interface ImpOrganisation {
  ext: string; name: string; description: string; email: string | null; website: string | null; logo: string | null; uri: string | null;
  parentExt: string | null; identifiers: ImpIdentifier[]; funding: ImpFunding[]; phones: ImpPhone[]; attributes: ImpAttribute[];
}

export interface ImpAddress {
  ext: string | null; attention: string | null; address1: string | null; address2: string | null; city: string | null; region: string | null;
  stateProvince: string | null; postalCode: string | null; country: string | null; type: 'physical' | 'postal' | 'virtual' | null;
}
export interface ImpAccessibility { ext: string | null; description: string | null; details: string | null; url: string | null }
export interface ImpLocation {
  ext: string; orgExt: string | null; type: 'physical' | 'postal' | 'virtual'; name: string | null; description: string | null;
  latitude: number | null; longitude: number | null; externalIdentifier: string | null; externalIdentifierType: string | null;
  address: ImpAddress | null; accessibility: ImpAccessibility | null; phones: ImpPhone[]; languages: ImpLanguage[]; attributes: ImpAttribute[];
}

export interface ImpServiceAtLocation { ext: string | null; locationExt: string; description: string | null; schedules: ImpSchedule[] }

export interface ImpService {
  ext: string; orgExt: string; name: string; description: string; url: string | null; email: string | null; status: ServiceStatus;
  fees: string | null; accreditations: string | null; minimumAge: number | null; maximumAge: number | null; assuredDate: string | null;
  assurerEmail: string | null; alert: string | null; lastModified: Date | null;
  /** how the service is attended, in the feed's words (ORUK 1.0 services carry it; 3.0 has it on schedules) */
  attendingType: string | null;
  schedules: ImpSchedule[]; serviceAreas: ImpServiceArea[]; sals: ImpServiceAtLocation[]; languages: ImpLanguage[]; funding: ImpFunding[];
  costOptions: ImpCostOption[]; contacts: ImpContact[]; phones: ImpPhone[]; attributes: ImpAttribute[];
}

export interface ImpTaxonomy {
  key: string; ext: string | null; name: string; description: string; uri: string | null; version: string | null;
  /** made up for terms that name a taxonomy the feed does not describe */
  standIn?: boolean;
}
export interface ImpTerm {
  key: string; ext: string; code: string; name: string; description: string; parentExt: string | null; taxonomyKey: string; termUri: string | null;
}

/** The records of one import, merged by identifier: a record met twice (on two pages, in two files) is read once, later values filling blanks. */
export class ImportSet {
  readonly organisations = new Map<string, ImpOrganisation>();
  readonly services = new Map<string, ImpService>();
  readonly locations = new Map<string, ImpLocation>();
  readonly taxonomies = new Map<string, ImpTaxonomy>();
  readonly terms = new Map<string, ImpTerm>();
  private readonly found: ImportIssue[] = [];
  /** each issue once: a record met twice (on two pages, inside two records) is flagged once */
  private readonly seen = new Set<string>();
  /** records refused (kind and id): their warnings are not listed, since nothing of them is imported */
  private readonly refusedRecords = new Set<string>();
  /** record kinds the register does not hold, with how many were met (reported, not silently dropped) */
  readonly notHeld = new Map<string, number>();

  get issues(): ImportIssue[] {
    if (this.refusedRecords.size === 0) return this.found;
    return this.found.filter((i) => i.level !== 'warning' || !i.id || !this.refusedRecords.has(`${i.record}:${i.id}`));
  }
  get errors() { return this.found.filter((i) => i.level === 'error'); }
  get refusals() { return this.found.filter((i) => i.level === 'refused'); }
  isRefused(record: string, id: string) { return this.refusedRecords.has(`${record}:${id}`); }

  error(issue: Omit<ImportIssue, 'level'>) { this.add({ level: 'error', ...issue }); }
  warning(issue: Omit<ImportIssue, 'level'>) { this.add({ level: 'warning', ...issue }); }
  /** A record not imported, with the field and the reason: the import goes on without it. */
  refuse(issue: Omit<ImportIssue, 'level'>) {
    if (issue.id) {
      if (this.refusedRecords.has(`${issue.record}:${issue.id}`)) return;
      this.refusedRecords.add(`${issue.record}:${issue.id}`);
    }
    this.add({ level: 'refused', ...issue });
  }

  private add(issue: ImportIssue) {
    const key = JSON.stringify([issue.level, issue.record, issue.id, issue.file, issue.row, issue.field, issue.message]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.found.push(issue);
  }
}

export const termKeyOf = (ext: string) => `id:${ext}`;
export const taxonomyKeyById = (ext: string) => `id:${ext}`;
export const taxonomyKeyByName = (name: string) => `name:${name.trim().toLowerCase()}`;
