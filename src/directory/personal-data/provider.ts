import { addCounts, ERASED_LABEL, dateTimeText as when, type ErasureOutcome, type PersonalDataProvider, type PersonalDataRecord, type RowCounts } from '../../platform/personal-data.js';
import { directoryDataRepository as repo, HISTORY_YEARS } from './repository.js';

const STATUS = { pending: 'Waiting for approval', approved: 'Approved', rejected: 'Rejected' } as const;
const fields = (pairs: [string, string | null | undefined][]) => pairs.filter(([, v]) => v).map(([label, value]) => ({ label, value: value! }));

async function held(tx: Parameters<PersonalDataProvider['describe']>[0]['tx'], who: Parameters<PersonalDataProvider['describe']>[1]) {
  const contacts = await repo.contacts(tx, who);
  const phones = await repo.phones(tx, who, contacts.map((c) => c.id));
  return {
    contacts,
    phones,
    languages: await repo.languages(tx, phones.map((p) => p.id)),
    organisations: await repo.organisations(tx, who),
    services: await repo.services(tx, who),
    listingChanges: await repo.listingChanges(tx, who),
    events: await repo.events(tx, who),
    signpostingLists: await repo.signpostingLists(tx, who),
    imports: await repo.imports(tx, who),
  };
}

/** Contacts listed in the directory under the person's e-mail or phone, and what they did in the directory as a user. */
export const directoryPersonalData: PersonalDataProvider = {
  key: 'directory',
  title: 'Directory',
  tables: ['contacts', 'phones', 'languages', 'organisations', 'services', 'listing_changes', 'organisation_events', 'signposting_lists', 'directory_imports'],

  async describe({ tx }, who) {
    const h = await held(tx, who);
    const listing = (r: { organisation_name: string | null; service_name?: string | null }) => r.service_name ? `${r.service_name} (${r.organisation_name ?? 'no organisation'})` : r.organisation_name ?? '';
    const contactRecords: PersonalDataRecord[] = h.contacts.map((c) => ({
      title: `Contact for ${listing(c)}`,
      fields: fields([['Name', c.name], ['Job title', c.title], ['Department', c.department], ['Email', c.email],
        ['Phone', h.phones.filter((p) => p.contact_id === c.id).map((p) => p.number).join(', ')]]),
    }));
    return [
      { heading: 'Listed as a contact', records: contactRecords },
      {
        heading: 'Phone numbers listed in the directory',
        records: h.phones.filter((p) => !h.contacts.some((c) => c.id === p.contact_id)).map((p) => ({
          title: p.number,
          fields: fields([['Type', p.type], ['Description', p.description], ['Languages', h.languages.filter((l) => l.phone_id === p.id).map((l) => l.name ?? l.code).join(', ')]]),
        })),
      },
      {
        heading: 'Contact details of organisations and services',
        records: [
          ...h.organisations.map((o) => ({ title: `Organisation: ${o.name}`, fields: fields([['Email', o.email], ['Phone', o.phone]]) })),
          ...h.services.map((s) => ({ title: `Service: ${s.name}`, fields: fields([['Email', s.email], ['Quality assured by', s.assurer_email]]) })),
        ],
      },
      {
        heading: 'Changes to listings they proposed or reviewed',
        records: h.listingChanges.map((c) => ({
          title: `Change to ${c.organisation_name}`,
          fields: fields([
            ['Role', [who.userIds.includes(c.submitted_by ?? '') ? 'Proposed it' : null, who.userIds.includes(c.reviewed_by ?? '') ? 'Reviewed it' : null].filter(Boolean).join(' and ')],
            ['Proposed', when(c.submitted_at)], ['Fields', Object.keys(c.changes ?? {}).join(', ')], ['Status', STATUS[c.status]], ['Review note', c.review_note],
          ]),
        })),
      },
      { heading: 'Listing histories naming them', records: h.events.map((e) => ({ title: `${e.organisation_name}: ${e.summary}`, fields: fields([['When', when(e.occurred_at)], ['What', e.kind]]) })) },
      { heading: 'Signposting lists they made', records: h.signpostingLists.map((l) => ({ title: l.title, fields: fields([['Made', when(l.created_at)]]) })) },
      { heading: 'Directory imports they ran', permission: 'directory.import', records: h.imports.map((i) => ({ title: `Import (${i.kind})`, fields: fields([['When', when(i.started_at)], ['Outcome', i.status]]) })) },
    ];
  },

  async export({ tx }, who) {
    const h = await held(tx, who);
    return {
      contacts: h.contacts, phones: h.phones, languages: h.languages, organisations: h.organisations, services: h.services, listing_changes: h.listingChanges,
      organisation_events: h.events, signposting_lists: h.signpostingLists, directory_imports: h.imports,
    };
  },

  erasure: 'Contacts listed under their email address are removed with their phone numbers, and so is any contact’s phone number that is theirs (with the languages spoken on it); an organisation or service listing their email address keeps its listing without it. The public phone line of an organisation, service or venue is not erased, even when it is their number: it is the organisation’s, so ask the organisation to change it. Listing changes, listing histories, signposting lists and imports they made stay, without their name or account, and their email address is blanked wherever a change or a history entry recorded it.',

  async keptOnErasure({ tx }, who) {
    const lines = await repo.publicLines(tx, who);
    return lines.length ? [{ heading: 'Not erased: public lines of organisations', items: lines }] : [];
  },

  async erase({ tx, now }, who): Promise<ErasureOutcome> {
    const contacts = await repo.contacts(tx, who);
    // Only a contact's phone is the person's to erase. A phone line of an organisation, service or venue that holds the
    // person's number (a small group giving a volunteer's mobile) is the organisation's public line: the organisation
    // published it and answers for it, the public rely on it, and deleting it would silently break a listing the LIO
    // does not own. A data-protection lead would rather see it named on the confirmation page (publicLines) and ask the
    // organisation to change it than have erasure remove it unseen.
    const phones = (await repo.phones(tx, who, contacts.map((c) => c.id))).filter((p) => p.contact_id !== null);
    // A phone's languages go with it (the foreign key cascades); counted first, to say so.
    const languages = await repo.languages(tx, phones.map((p) => p.id));
    const removedPhones = await repo.deletePhones(tx, phones.map((p) => p.id));
    const removedContacts = await repo.deleteContacts(tx, contacts.map((c) => c.id));
    const removed: RowCounts = { languages: languages.length, phones: Number(removedPhones?.numDeletedRows ?? 0), contacts: Number(removedContacts?.numDeletedRows ?? 0) };
    // Blanked first: the relabelling below no longer finds rows by what they say, only by who wrote them.
    const scrubbed = await repo.scrubAddresses(tx, who);
    const anonymised: RowCounts = {
      organisations: await repo.clearOrganisationContacts(tx, who, now),
      services: await repo.clearServiceContacts(tx, who, now),
      listing_changes: await repo.unlinkListingChanges(tx, who.userIds),
      organisation_events: await repo.relabelEvents(tx, who, ERASED_LABEL),
      signposting_lists: await repo.unlinkSignpostingLists(tx, who.userIds),
      directory_imports: await repo.relabelImports(tx, who, ERASED_LABEL),
    };
    return { removed, anonymised: addCounts(anonymised, scrubbed) };
  },

  /** Nothing in the directory points at a person record: its rows are found by e-mail, phone and user account, which the kept record takes over. */
  async merge() {
    return {};
  },

  retention: {
    rule: `Contacts are kept while the listing they belong to is, and removed with it. Listing histories, listing changes decided and imports name who acted for ${HISTORY_YEARS} years, then say “Former user”.`,
    apply: ({ tx, now }) => repo.forgetOldActors(tx, now),
  },
};
