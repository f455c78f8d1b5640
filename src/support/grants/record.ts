import { parseDay } from '../../platform/validation/dates.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { moneyOfNumber } from '../../platform/money.js';
import { grantValidator, schemaProblems } from './standard.js';

/** A grant as stored: one row of `grants`, its recipient's numbers normalised to the register's forms. */
export interface GrantRecord {
  identifier: string; title: string; description: string | null; currency: string; amount_awarded: string; award_date: string;
  grant_programme: string | null; funding_org_identifier: string; funding_org_name: string; recipient_org_identifier: string;
  recipient_org_name: string; recipient_charity_number: string | null; recipient_company_number: string | null;
  recipient_postcode: string | null; beneficiary_locations: string[];
}

export type ReadOutcome = { record: GrantRecord } | { individual: true } | { problems: { field: string; message: string }[] };

/**
 * A charity number as the register keeps it: England and Wales digits ('1160123', '1160123-1'), Scotland 'SC012345',
 * Northern Ireland 'NIC123456'; read from the field or an org-id ('GB-CHC-1160123', 'GB-SC-SC012345', 'GB-NIC-123456').
 */
export function charityNumberOf(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).toUpperCase().replace(/\s+/g, '').replace(/^GB-(CHC|SC|NIC)-/, (_, scheme: string) => (scheme === 'NIC' ? 'NIC' : ''));
  if (/^\d{6,8}(-\d{1,3})?$/.test(text)) return text;
  if (/^SC\d{6}$/.test(text)) return text;
  if (/^NIC\d{6}$/.test(text)) return text;
  return null;
}

/** A company number as Companies House writes it: eight characters, digits padded with zeros ('GB-COH-1234567' → '01234567'). */
export function companyNumberOf(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).toUpperCase().replace(/\s+/g, '').replace(/^GB-COH-/, '');
  if (/^\d{1,8}$/.test(text)) return text.padStart(8, '0');
  if (/^[A-Z]{2}\d{6}$/.test(text)) return text;
  return null;
}

const first = (v: unknown) => (Array.isArray(v) ? (v[0] as Record<string, unknown> | undefined) : undefined) ?? {};
const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);

/** Checks one grant of a file against the standard and reads what the LIO keeps of it. */
export function readGrant(grant: Record<string, unknown>): ReadOutcome {
  if (grant.recipientIndividual && !grant.recipientOrganization) return { individual: true };
  const validate = grantValidator();
  const problems = validate(grant) ? [] : schemaProblems(validate.errors);
  const amount = typeof grant.amountAwarded === 'number' ? moneyOfNumber(grant.amountAwarded) : null;
  if (typeof grant.amountAwarded === 'number' && amount === null) problems.push({ field: 'Amount Awarded', message: 'Amount Awarded must be an amount of money: not below 0, at most two decimal places' });
  const day = typeof grant.awardDate === 'string' ? parseDay(grant.awardDate.slice(0, 10)) : null;
  if (typeof grant.awardDate === 'string' && !day && !problems.some((p) => p.field === 'Award Date')) problems.push({ field: 'Award Date', message: 'Award Date must be a real date' });
  const limits: [string, unknown, number][] = [['Identifier', grant.id, 200], ['Funding Org: Identifier', first(grant.fundingOrganization).id, 200], ['Recipient Org: Identifier', first(grant.recipientOrganization).id, 200]];
  for (const [field, value, max] of limits) if (typeof value === 'string' && value.length > max) problems.push({ field, message: `${field} must be ${max} characters or fewer` });
  if (problems.length) return { problems };
  const recipient = first(grant.recipientOrganization);
  const funder = first(grant.fundingOrganization);
  const recipientId = String(recipient.id);
  return {
    record: {
      identifier: String(grant.id).trim(), title: text(grant.title, 1000) ?? String(grant.id), description: text(grant.description, 10_000),
      currency: String(grant.currency), amount_awarded: amount!, award_date: day!, grant_programme: text(first(grant.grantProgramme).title, 500),
      funding_org_identifier: String(funder.id).trim(), funding_org_name: text(funder.name, 500) ?? String(funder.id),
      recipient_org_identifier: recipientId.trim(), recipient_org_name: text(recipient.name, 500) ?? recipientId,
      recipient_charity_number: charityNumberOf(recipient.charityNumber) ?? (/^GB-(CHC|SC|NIC)-/i.test(recipientId) ? charityNumberOf(recipientId) : null),
      recipient_company_number: companyNumberOf(recipient.companyNumber) ?? (/^GB-COH-/i.test(recipientId) ? companyNumberOf(recipientId) : null),
      recipient_postcode: typeof recipient.postalCode === 'string' ? normalisePostcode(recipient.postalCode.slice(0, 20)) : null,
      beneficiary_locations: Array.isArray(grant.beneficiaryLocation)
        ? [...new Set((grant.beneficiaryLocation as Record<string, unknown>[]).map((l) => text(l?.name, 200)).filter((n): n is string => !!n))].slice(0, 50) : [],
    },
  };
}
