import type { Queryable } from './db/index.js';
import type { Permission } from './auth/policy.js';

/**
 * How one person is recognised across the capabilities. The people capability starts it from the person record (its
 * e-mails and phones); each provider's `identify` may add what only it knows (the accounts capability adds the
 * person's user accounts and their sign-in addresses), and every other call receives the whole of it. Identifiers
 * only: e-mails in lower case, phones as digits (UK numbers from 0).
 */
export interface PersonIdentity {
  lioId: string;
  personId: string;
  emails: string[];
  phones: string[];
  /** The person record and every record merged into it: what entries about the person (the audit log's) point at. */
  recordIds: string[];
  /** Their user accounts: what records made by a signed-in person point at. */
  userIds: string[];
  /**
   * How records written by the person name them, lower case: histories and logs keep who acted as text (the address
   * they signed in with, or their account's name), not as a key. Matched only in rows that have no user account to
   * match by (a table with `actor_user_id` is matched by `userIds`); an account's name is one of them only when no
   * other account of the LIO has the same name, and 'Erased person' / 'Former user' never are.
   */
  actorLabels: string[];
}

/** One thing held about the person, as the person's page and the readable export show it. */
export interface PersonalDataRecord {
  /** 'Contact for Riverside Food Bank' */
  title: string;
  fields: { label: string; value: string }[];
}

/** A heading of the person's page: what one part of one capability holds about them. */
export interface PersonalDataSection {
  heading: string;
  records: PersonalDataRecord[];
  /**
   * Shown on the person's page only to those holding it (the audit log to those who may read it); absent: to all who
   * may open the page. A subject-access export always holds every section.
   */
  permission?: Permission;
  /**
   * A long list (records oldest first) the person's page shows only the latest of, with a link to the rest (for those
   * who may see the section); the exports hold every record.
   */
  onPage?: { latest: number; more: { text: string; href: string } };
}

/** Rows changed, by table: what an erasure, a merge or a retention run did, for the audit log and the confirmation page. */
export type RowCounts = Record<string, number>;

export interface ErasureOutcome {
  /** Rows deleted, by table. */
  removed: RowCounts;
  /** Rows kept with their personal data taken out (so that counts stay true), by table. */
  anonymised: RowCounts;
}

export interface PersonalDataContext {
  tx: Queryable;
  now: Date;
}

/**
 * What one capability holds about a person, and how it exports, erases, merges and retains it (UK GDPR). Every call
 * runs in the caller's tenant transaction, so a subject-access export or an erasure across all capabilities is one
 * consistent read or one all-or-nothing change. Every table that refers to a person is named in some provider's
 * `tables`; a schema test (test/people/personal-data-coverage.test.ts) holds that true.
 */
export interface PersonalDataProvider {
  /** Stable key, the capability's name: the key of its part of the machine-readable export. */
  key: string;
  /** Shown as a heading on the person's page and in the export: 'Directory'. */
  title: string;
  /** The tables it answers for. */
  tables: string[];
  /** Adds the identifiers only it knows (its own rows that point at the person). */
  identify?(context: PersonalDataContext, identity: PersonIdentity): Promise<Partial<Pick<PersonIdentity, 'recordIds' | 'emails' | 'phones' | 'userIds' | 'actorLabels'>>>;
  /** What it holds about the person, in words, for their page and the readable export. */
  describe(context: PersonalDataContext, identity: PersonIdentity): Promise<PersonalDataSection[]>;
  /** Every row it holds about the person, by table, as stored (the machine-readable export). */
  export(context: PersonalDataContext, identity: PersonIdentity): Promise<Record<string, Record<string, unknown>[]>>;
  /** What erasure does here, in words, for the confirmation step: 'Contacts listed for an organisation are removed.' */
  erasure: string;
  /**
   * What erasure here leaves on purpose although it holds one of the person's identifiers (an organisation's public
   * phone line that is their number), for the confirmation step to name: one heading per kind, one line per row.
   */
  keptOnErasure?(context: PersonalDataContext, identity: PersonIdentity): Promise<{ heading: string; items: string[] }[]>;
  /** Removes or anonymises the person's data; rows others rely on for counts are kept without it. */
  erase(context: PersonalDataContext, identity: PersonIdentity): Promise<ErasureOutcome>;
  /** Moves everything of `merged` to `kept` (two records of one person): nothing is lost. Returns rows moved, by table. */
  merge(context: PersonalDataContext, people: { kept: PersonIdentity; merged: PersonIdentity }): Promise<RowCounts>;
  retention: {
    /** The rule in words, for the person's page and the privacy notice. */
    rule: string;
    /** Applies the rule to one LIO (in its tenant transaction); returns rows removed or anonymised, by table. */
    apply(context: PersonalDataContext): Promise<RowCounts>;
  };
}

/** Who did something, once they are erased: the deed stays in the history (audit log, listing histories), the person does not. */
export const ERASED_LABEL = 'Erased person';
/** What histories say of who acted once the retention period has passed. */
export const FORMER_USER_LABEL = 'Former user';
/** Labels that name no one: never matched as a person's, never relabelled. */
export const ANONYMOUS_LABELS: readonly string[] = [ERASED_LABEL, FORMER_USER_LABEL];

/** Adds two sets of counts, table by table (a whole erasure from each provider's part). */
export function addCounts(into: RowCounts, more: RowCounts): RowCounts {
  for (const [table, n] of Object.entries(more)) if (n > 0) into[table] = (into[table] ?? 0) + n;
  return into;
}

/** A moment as the person's page and the readable export show it ('6 Dec 2026, 18:22', UK time); '' for none. */
export function dateTimeText(d: Date | null): string {
  return d ? d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' }) : '';
}

/** One part of a capability's provider: what one of its features holds about a person (its key and title are the capability's). */
export type PersonalDataPart = Omit<PersonalDataProvider, 'key' | 'title'>;

/**
 * A capability whose features each hold their own personal data (casework, training, bulletins) answers as one
 * provider made of their parts: the sections, rows and counts of every part, in order, and every part's erasure and
 * retention, all in the caller's one transaction.
 */
export function personalDataOfParts(key: string, title: string, parts: readonly PersonalDataPart[]): PersonalDataProvider {
  const merged = <T>(results: Partial<Record<string, T[]>>[]) => {
    const out: Record<string, T[]> = {};
    for (const r of results) for (const [k, v] of Object.entries(r)) if (v) out[k] = [...(out[k] ?? []), ...v];
    return out;
  };
  const inTurn = async <T>(call: (part: PersonalDataPart) => Promise<T>): Promise<T[]> => {
    const results: T[] = [];
    // One after another: they share the caller's one transaction (one connection).
    for (const part of parts) results.push(await call(part));
    return results;
  };
  return {
    key,
    title,
    tables: parts.flatMap((p) => p.tables),
    async identify(context, identity) {
      return merged(await inTurn(async (p) => (p.identify ? await p.identify(context, identity) : {})));
    },
    async describe(context, identity) {
      return (await inTurn((p) => p.describe(context, identity))).flat();
    },
    async export(context, identity) {
      return Object.assign({}, ...(await inTurn((p) => p.export(context, identity))));
    },
    erasure: parts.map((p) => p.erasure).join(' '),
    async keptOnErasure(context, identity) {
      return (await inTurn(async (p) => (p.keptOnErasure ? await p.keptOnErasure(context, identity) : []))).flat();
    },
    async erase(context, identity) {
      const outcome: ErasureOutcome = { removed: {}, anonymised: {} };
      for (const r of await inTurn((p) => p.erase(context, identity))) {
        addCounts(outcome.removed, r.removed);
        addCounts(outcome.anonymised, r.anonymised);
      }
      return outcome;
    },
    async merge(context, people) {
      const moved: RowCounts = {};
      for (const r of await inTurn((p) => p.merge(context, people))) addCounts(moved, r);
      return moved;
    },
    retention: {
      rule: parts.map((p) => p.retention.rule).join(' '),
      async apply(context) {
        const done: RowCounts = {};
        for (const r of await inTurn((p) => p.retention.apply(context))) addCounts(done, r);
        return done;
      },
    },
  };
}
