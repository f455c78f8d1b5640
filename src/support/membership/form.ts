import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import type { NewMembershipType } from './repository.js';
import { penceOf, readMoney } from '../../platform/money.js';

export const REGISTER_FLAGS = { member: 'Member', associate: 'Associate member' } as const;

export interface TypeValues { name: string; description: string; registerFlag: string; annualFee: string; termMonths: string }
export const typeValues = (body: unknown): TypeValues => ({
  name: str(body, 'name'), description: str(body, 'description'), registerFlag: str(body, 'registerFlag'), annualFee: str(body, 'annualFee'), termMonths: str(body, 'termMonths'),
});

/** A membership type: a name, how the register flags its members, a yearly fee in pounds (0 for none) and a term in months. */
export function readType(v: TypeValues): { errors: FormErrors; type?: NewMembershipType } {
  const errors = new FormErrors();
  checkText(errors, 'name', v.name, 'a name for the membership type', 100);
  checkText(errors, 'description', v.description, 'the description', 2000, false);
  if (!Object.hasOwn(REGISTER_FLAGS, v.registerFlag)) errors.add('registerFlag', 'Choose how the register shows its members');
  const fee = readMoney(v.annualFee);
  // (a yearly fee of £1 million or more is a typing slip)
  const feePence = fee === null ? null : penceOf(fee);
  if (feePence === null || feePence >= 100_000_000) errors.add('annualFee', 'Enter the annual fee in pounds, like 25 or 25.00 (0 for no fee)');
  if (!/^\d{1,2}$/.test(v.termMonths) || Number(v.termMonths) < 1 || Number(v.termMonths) > 60) errors.add('termMonths', 'Enter the term as a whole number of months from 1 to 60');
  if (errors.any) return { errors };
  return { errors, type: { name: v.name, description: v.description || null, registerFlag: v.registerFlag as 'member' | 'associate',
    annualFeePence: feePence!, termMonths: Number(v.termMonths) } };
}

export interface JoinValues { organisationId: string; typeId: string }
export const joinValues = (body: unknown): JoinValues => ({ organisationId: str(body, 'organisationId'), typeId: str(body, 'typeId') });

/** The organisation (staff choose it; a group member's is their own) and a membership type offered now. */
export function readJoin(v: JoinValues, types: { id: string }[], needsOrganisation: boolean): FormErrors {
  const errors = new FormErrors();
  if (needsOrganisation && !isUuid(v.organisationId)) errors.add('organisationId', 'Choose the organisation');
  if (!types.some((t) => t.id === v.typeId)) errors.add('typeId', 'Choose a membership type');
  return errors;
}
