import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../helpers/database.js';
import type { Database } from '../../src/platform/db/index.js';
import { capabilities } from '../../src/capabilities.js';

/**
 * UK GDPR: every table that refers to a person must be answered for by some capability's personal-data provider, or a
 * subject-access export or an erasure would silently miss it. "Refers to a person" is read mechanically from the live
 * schema, so a new table cannot slip past by not being mentioned anywhere:
 *   1. it has a foreign key to `people` or `users` (rows made by, or about, a person or their account); or
 *   2. it has a column named for something only a person has or is: an e-mail address, a phone number, a person, an
 *      actor (who did it, written as their address), a recipient, a contact, a person's name (full/first/last/given/
 *      family/display/preferred name, surname) or date of birth; or
 *   3. the table itself is named for people (contacts, phones, people, persons, users, members, volunteers, residents,
 *      attendees); or
 *   4. it has a column holding a hash (`*_hash`: `email_hash`, `account_hash`): a keyed hash of an e-mail address or an
 *      account still singles one person out (pseudonymous data is personal data), and it is no key to join on.
 * A bare `name` column is not counted: organisations, services, venues and taxonomy terms all have one, and a named
 * contact person is caught by rule 3. The rule can over-reach; a table it flags that holds nothing about anyone goes in
 * NOT_ABOUT_PEOPLE below with the reason, so the decision is written down and reviewed.
 */
const PERSON_COLUMN = /(^|_)(e_?mail|emails|phone|phones|mobile|person|people|actor|recipient|to_address|contact|full_name|first_name|last_name|given_name|family_name|surname|display_name|preferred_name|date_of_birth|dob)(_|$)/;
const HASH_COLUMN = /_hash$/;
const PERSON_TABLE = /^(contacts|phones|people|persons|users|members|volunteers|residents|attendees)$|(^|_)(person|people|user|member|volunteer|resident|attendee)s?(_|$)/;

/** Tables the rule flags that hold no personal data, each with the reason. */
const NOT_ABOUT_PEOPLE: Record<string, string> = {
  verification_requests: 'token_hash is the hash of a random one-time link sent to an organisation\'s own address to confirm its listing: it is about the organisation and derived from no one\'s details',
  rate_limit_hits: 'key_hash is a keyed hash of a network address and a route, counting requests for one window: it points at no person record or account, cannot be looked up by a person, and is swept a day after its window',
};

let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => { ({ db, dispose } = await createTestDatabase()); });
afterAll(async () => { await dispose(); });

async function tablesReferringToPeople(): Promise<Map<string, string[]>> {
  const { rows: keys } = await sql<{ table: string; column: string; target: string }>`
    select c.conrelid::regclass::text as table, a.attname as column, c.confrelid::regclass::text as target
    from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
    where c.contype = 'f' and c.connamespace = current_schema()::regnamespace and c.confrelid::regclass::text in ('people', 'users')`.execute(db.system);
  const { rows: columns } = await sql<{ table: string; column: string }>`
    select c.table_name as table, c.column_name as column from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = current_schema() and c.table_name <> 'schema_migrations'`.execute(db.system);
  const why = new Map<string, string[]>();
  const note = (table: string, reason: string) => why.set(table, [...(why.get(table) ?? []), reason]);
  for (const k of keys) note(k.table, `${k.column} → ${k.target}`);
  for (const c of columns) if (PERSON_COLUMN.test(c.column) || HASH_COLUMN.test(c.column)) note(c.table, `column ${c.column}`);
  for (const table of new Set(columns.map((c) => c.table))) if (PERSON_TABLE.test(table)) note(table, 'named for people');
  return why;
}

describe('personal-data providers', () => {
  it('cover every table that refers to a person', async () => {
    const flagged = await tablesReferringToPeople();
    const covered = new Set(capabilities().flatMap((c) => c.personalData?.tables ?? []));
    const missing = [...flagged].filter(([table]) => !covered.has(table) && !Object.hasOwn(NOT_ABOUT_PEOPLE, table))
      .map(([table, reasons]) => `${table} (${reasons.join(', ')})`);
    expect(missing, 'tables referring to a person that no provider covers').toEqual([]);
    // The rule is not met by finding nothing: the tables known to hold people's data are flagged.
    for (const known of ['people', 'consents', 'users', 'sessions', 'user_tokens', 'contacts', 'phones', 'listing_changes', 'audit_events', 'email_messages', 'sign_in_throttles']) {
      expect(flagged.has(known), `${known} is flagged`).toBe(true);
    }
    // A table keyed only by hashes of e-mail addresses is flagged by those, whatever else it has.
    expect(flagged.get('sign_in_throttles')).toEqual(expect.arrayContaining(['column key_hash', 'column account_hash']));
  });

  it('name only tables that exist, each in one provider', async () => {
    const { rows } = await sql<{ table: string }>`select table_name as table from information_schema.tables where table_schema = current_schema()`.execute(db.system);
    const existing = new Set(rows.map((r) => r.table));
    const named = capabilities().flatMap((c) => c.personalData?.tables ?? []);
    expect(named.filter((t) => !existing.has(t))).toEqual([]);
    expect(named.filter((t, i) => named.indexOf(t) !== i)).toEqual([]);
  });
});
