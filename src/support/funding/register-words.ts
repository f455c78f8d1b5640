import type { OrganisationType } from '../../platform/db/directory-schema.js';

/**
 * The register's own words for who may apply, so that an opportunity names types and income bands exactly as
 * organisations are recorded (the directory's record keeps the same lists; its code is not ours to import, and the
 * types here are checked against the register's column type by the compiler).
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

export type IncomeBand = 'under_10k' | '10k_100k' | '100k_1m' | '1m_plus';
/** Bands a funder can name ('not known' is the register's answer for a group, never a funder's rule). */
export const INCOME_BANDS: Record<IncomeBand, string> = {
  under_10k: 'Under £10,000',
  '10k_100k': '£10,000 to £100,000',
  '100k_1m': '£100,000 to £1 million',
  '1m_plus': 'Over £1 million',
};
