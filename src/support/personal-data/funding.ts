import { dateTimeText, type ErasureOutcome, type PersonalDataPart } from '../../platform/personal-data.js';
import { fundingDataRepository as repo } from './funding-repository.js';

/** Funding digests are a record of e-mails sent: kept this long, then forgotten (the opportunities stay). */
const DIGEST_RETENTION_YEARS = 2;

/**
 * Funding and grants hold about a person only what their account did: the funding e-mails a group member was sent
 * (and whether they stopped them), and the opportunities and grants imports a member of staff added.
 *
 * `grants` is named because its recipient columns look like a person's to the coverage rule: a grant's recipient is
 * always an organisation (360Giving grants to individuals are never imported), so it holds nothing about anyone.
 */
export const fundingPersonalData: PersonalDataPart = {
  tables: ['funding_digest_items', 'funding_digest_stops', 'funding_opportunities', 'grant_imports', 'grants'],

  async describe({ tx }, identity) {
    if (!identity.userIds.length) return [];
    const { sent, stopped, added } = await repo.described(tx, identity.userIds);
    return [{
      heading: 'Funding e-mails and opportunities',
      records: [
        ...sent.map((s) => ({ title: `${s.programme} (${s.funder_name})`, fields: [{ label: s.reason === 'new' ? 'E-mailed as new' : 'E-mailed as closing soon', value: dateTimeText(s.sent_at) }] })),
        ...stopped.map((s) => ({ title: 'Funding e-mails stopped', fields: [{ label: 'Stopped', value: dateTimeText(s.stopped_at) }] })),
        ...added.map((a) => ({ title: `Added the opportunity ${a.programme} (${a.funder_name})`, fields: [{ label: 'Added', value: dateTimeText(a.created_at) }] })),
      ],
    }];
  },

  async export({ tx }, identity): Promise<Record<string, Record<string, unknown>[]>> {
    if (!identity.userIds.length) return {};
    return repo.rows(tx, identity.userIds);
  },

  erasure: 'The record of funding e-mails sent to them is removed; opportunities and grants imports they added stay, without their name. Grants data names organisations only (grants to individuals are never imported).',

  async erase({ tx }, identity): Promise<ErasureOutcome> {
    if (!identity.userIds.length) return { removed: {}, anonymised: {} };
    return repo.erase(tx, identity.userIds);
  },

  // Rows here are keyed by accounts, which a merge of two person records does not move.
  async merge() { return {}; },

  retention: {
    rule: `The record of funding e-mails sent is kept ${DIGEST_RETENTION_YEARS} years.`,
    async apply({ tx, now }) {
      return { funding_digest_items: await repo.forgetDigestsBefore(tx, now, DIGEST_RETENTION_YEARS) };
    },
  },
};
