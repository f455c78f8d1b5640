import type { OrganisationType } from '../db/directory-schema.js';

/**
 * The register's words for what an organisation is and how large: the directory records them, and support names who
 * may apply for funding in the same words, so that a funder's rule and a group's record can be compared.
 */
export const ORGANISATION_TYPES: Record<OrganisationType, string> = {
  registered_charity: 'Registered charity',
  cio: 'Charitable incorporated organisation (CIO)',
  cic: 'Community interest company (CIC)',
  company_limited_by_guarantee: 'Company limited by guarantee',
  unincorporated: 'Unincorporated group',
  mutual_aid: 'Mutual-aid group',
  faith_group: 'Faith group',
  social_enterprise: 'Social enterprise',
  parish_council: 'Parish or town council',
  statutory_body: 'Statutory body',
};

/** Bands of yearly income a funder can name. */
export type KnownIncomeBand = 'under_10k' | '10k_100k' | '100k_1m' | '1m_plus';
export const KNOWN_INCOME_BANDS: Record<KnownIncomeBand, string> = {
  under_10k: 'Under £10,000',
  '10k_100k': '£10,000 to £100,000',
  '100k_1m': '£100,000 to £1 million',
  '1m_plus': 'Over £1 million',
};

/** A group's income as the register records it: a band, or 'not known' (never a funder's rule). */
export type IncomeBand = KnownIncomeBand | 'unknown';
export const INCOME_BANDS: Record<IncomeBand, string> = { ...KNOWN_INCOME_BANDS, unknown: 'Not known' };
