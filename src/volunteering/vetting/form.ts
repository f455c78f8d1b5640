import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { readDate } from '../../platform/validation/dates.js';
import type { DbsLevel, VettingKind, VettingOutcome } from '../../platform/db/volunteering-schema.js';
import type { NewCheck } from './repository.js';

export const KINDS: Record<VettingKind, string> = { dbs: 'DBS check', reference: 'Reference', induction: 'Induction', training: 'Training' };
export const OUTCOMES: Record<VettingOutcome, string> = { pending: 'Waiting', passed: 'Passed', failed: 'Not passed' };
const LEVELS = ['basic', 'standard', 'enhanced'] as const;
/** What the detail of each kind but a DBS check names. */
const DETAILS: Record<Exclude<VettingKind, 'dbs'>, string> = { reference: 'the referee', induction: 'what the induction was', training: 'the name of the training' };

const FIELDS = ['kind', 'dbsLevel', 'certificateNumber', 'updateService', 'detail', 'outcome', 'forOrganisationId',
  'issued-day', 'issued-month', 'issued-year', 'expires-day', 'expires-month', 'expires-year'] as const;
export type CheckValues = Record<(typeof FIELDS)[number], string>;
export const checkValues = (body: unknown): CheckValues => Object.fromEntries(FIELDS.map((f) => [f, str(body, f)])) as CheckValues;

/** A vetting check as the coordinator records it. A DBS check needs its level and 12-digit certificate number; no image is ever taken. */
export function readCheck(v: CheckValues, now: Date): { errors: FormErrors; check?: NewCheck } {
  const errors = new FormErrors();
  if (!Object.hasOwn(KINDS, v.kind)) errors.add('kind', 'Choose what kind of check it is');
  const kind = v.kind as VettingKind;
  const dbs = kind === 'dbs';
  if (dbs && !(LEVELS as readonly string[]).includes(v.dbsLevel)) errors.add('dbsLevel', 'Choose the level of the DBS check');
  const certificate = v.certificateNumber.replace(/\s+/g, '');
  if (dbs && !/^\d{12}$/.test(certificate)) errors.add('certificateNumber', 'Enter the 12-digit certificate number, like 001234567890');
  // Until the kind is chosen there is no telling what the detail should be: only the kind is asked for.
  if (Object.hasOwn(DETAILS, kind)) checkText(errors, 'detail', v.detail, DETAILS[kind as keyof typeof DETAILS], 500);
  if (!Object.hasOwn(OUTCOMES, v.outcome)) errors.add('outcome', 'Choose the outcome');
  if (v.forOrganisationId && !isUuid(v.forOrganisationId)) errors.add('forOrganisationId', 'Choose the organisation from the list');
  const issuedOn = readDate(errors, 'issued', { day: v['issued-day'], month: v['issued-month'], year: v['issued-year'] }, dbs ? 'the date of issue' : 'the date', { required: dbs, notAfter: now });
  const expiresOn = readDate(errors, 'expires', { day: v['expires-day'], month: v['expires-month'], year: v['expires-year'] }, 'the lapse date', { required: dbs });
  if (issuedOn && expiresOn && expiresOn <= issuedOn) errors.add('expires-day', 'The lapse date must be after the date of issue');
  if (errors.any) return { errors };
  return {
    errors,
    check: {
      kind, dbsLevel: dbs ? (v.dbsLevel as Exclude<DbsLevel, 'none'>) : null, certificateNumber: dbs ? certificate : null, issuedOn,
      updateService: dbs && v.updateService === 'yes', expiresOn, detail: v.detail || null, outcome: v.outcome as VettingOutcome,
      forOrganisationId: v.forOrganisationId || null,
    },
  };
}
