import type { MembershipStatus } from '../../platform/db/support-schema.js';
import type { MembershipRow, MembershipTypeRow } from './repository.js';
import { REGISTER_FLAGS } from './form.js';
import { penceText } from '../../platform/money.js';

const STATUS: Record<MembershipStatus, { text: string; tag: string }> = {
  pending: { text: 'Waiting for approval', tag: 'govuk-tag--yellow' }, active: { text: 'Member', tag: 'govuk-tag--green' },
  lapsed: { text: 'Lapsed', tag: 'govuk-tag--red' }, ended: { text: 'Ended', tag: 'govuk-tag--grey' },
};
export const fee = (pence: number) => (pence ? penceText(pence) : 'No fee');

export function membershipRows(rows: MembershipRow[]) {
  return rows.map((m) => ({
    id: m.id, organisation: m.organisation_name, organisationId: m.organisation_id, type: m.type_name, status: STATUS[m.status].text, tag: STATUS[m.status].tag,
    joinedOn: m.joined_on, renewsOn: m.renews_on, canApprove: m.status === 'pending', canRenew: m.status === 'active' || m.status === 'lapsed',
  }));
}

export function typeRows(types: MembershipTypeRow[]) {
  return types.map((t) => ({ name: t.name, flag: REGISTER_FLAGS[t.register_flag], fee: fee(t.annual_fee_pence), term: `${t.term_months} ${t.term_months === 1 ? 'month' : 'months'}`, active: t.active }));
}

export const statusText = (s: MembershipStatus) => STATUS[s].text;
export const typeItems = (types: MembershipTypeRow[], chosen: string) => [{ value: '', text: 'Choose a type' },
  ...types.map((t) => ({ value: t.id, text: `${t.name} (${fee(t.annual_fee_pence)}, ${t.term_months} months)`, selected: t.id === chosen }))];
