import type { PersonalDataProvider, RowCounts } from '../../platform/personal-data.js';
import { consentFields, nameOf, personFields } from '../records/present.js';
import { peopleDataRepository as repo, RETENTION_YEARS } from './repository.js';

const count = (result: { numUpdatedRows?: bigint }) => Number(result.numUpdatedRows ?? 0);

/** The person record itself, the records merged into it, and their consents. */
export const peoplePersonalData: PersonalDataProvider = {
  key: 'people',
  title: 'Person record',
  tables: ['people', 'consents'],

  async identify({ tx }, identity) {
    const records = await repo.recordsOf(tx, identity.personId);
    return { recordIds: records.map((r) => r.id), emails: records.flatMap((r) => r.emails), phones: records.flatMap((r) => r.phones) };
  },

  async describe({ tx }, identity) {
    const records = await repo.recordsOf(tx, identity.personId);
    const consents = await repo.consentsOf(tx, records.map((r) => r.id));
    const [own, ...merged] = records;
    return [
      { heading: 'Details', records: own ? [{ title: nameOf(own), fields: personFields(own) }] : [] },
      { heading: 'Consents', records: consents.map((c) => ({ title: consentFields(c)[0]!.value, fields: consentFields(c) })) },
      ...(merged.length ? [{ heading: 'Records merged into this one', records: merged.map((m) => ({ title: nameOf(m), fields: personFields(m) })) }] : []),
    ];
  },

  async export({ tx }, identity) {
    const people = await repo.recordsOf(tx, identity.personId);
    return { people, consents: await repo.consentRows(tx, people.map((p) => p.id)) };
  },

  erasure: 'The person record (and any record merged into it) keeps no name, contact details, postcode or date of birth; it stays as an anonymous entry so that counts of people stay true. Consents still in force are withdrawn, and kept without anything to identify the person.',

  async erase({ tx, now }, identity) {
    const ids = (await repo.recordsOf(tx, identity.personId)).map((r) => r.id);
    const consents = await repo.withdrawConsents(tx, ids, now);
    const people = await repo.anonymise(tx, ids, now);
    return { removed: {}, anonymised: { people: count(people), consents: count(consents) } };
  },

  async merge({ tx, now }, { kept, merged }) {
    const consents = await repo.moveConsents(tx, merged.personId, kept.personId);
    const people = await repo.markMerged(tx, merged.personId, kept.personId, now);
    return { consents: count(consents), people: count(people) };
  },

  retention: {
    rule: `A person with no user account, no consent and no change to their record for ${RETENTION_YEARS} years is erased from the person records.`,
    async apply({ tx, now }): Promise<RowCounts> {
      const stale = (await repo.staleIds(tx, now)).map((r) => r.id);
      // A record merged into a stale person holds that person's old details: it is cleared with them, as erasure does.
      const ids = [...stale, ...(await repo.mergedInto(tx, stale)).map((r) => r.id)];
      if (ids.length === 0) return {};
      const people = await repo.anonymise(tx, ids, now);
      return { people: count(people) };
    },
  },
};
