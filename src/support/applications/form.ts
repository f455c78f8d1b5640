import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { readDate } from '../../platform/validation/dates.js';
import type { FundingApplicationStatus } from '../../platform/db/support-schema.js';
import { FUNDING_APPLICATION_STATUSES } from '../vocabulary.js';
import { readMoney } from '../../platform/money.js';

const FIELDS = ['funder', 'programme', 'amountRequested', 'status', 'submitted-day', 'submitted-month', 'submitted-year',
  'decision-day', 'decision-month', 'decision-year', 'amountAwarded'] as const;
export type ApplicationValues = Record<(typeof FIELDS)[number], string>;
export const applicationValues = (body: unknown): ApplicationValues => Object.fromEntries(FIELDS.map((f) => [f, str(body, f)])) as ApplicationValues;

export interface ApplicationAnswer {
  funder_name: string; programme: string | null; amount_requested: string; status: FundingApplicationStatus;
  submitted_on: string | null; decision_on: string | null; amount_awarded: string | null;
}

const parts = (v: ApplicationValues, f: 'submitted' | 'decision') => ({ day: v[`${f}-day`], month: v[`${f}-month`], year: v[`${f}-year`] });
const EARLIEST = new Date(Date.UTC(2000, 0, 1));

/**
 * A funding application the LIO supported. An award is what the leverage figure counts, so it must say how much and
 * when it was decided; a decline has a decision date too; an amount awarded belongs only to an award. Dates are not in
 * the future, and a decision is not before the application went in.
 */
export function readApplication(v: ApplicationValues, now: Date): { errors: FormErrors; answer?: ApplicationAnswer } {
  const errors = new FormErrors();
  checkText(errors, 'funder', v.funder, 'the funder', 200);
  checkText(errors, 'programme', v.programme, 'the programme', 200, false);
  const requested = readMoney(v.amountRequested);
  if (!v.amountRequested) errors.add('amountRequested', 'Enter the amount asked for');
  else if (!requested || requested === '0.00') errors.add('amountRequested', 'Enter the amount asked for in pounds, like £1,250 or 1250.50');
  const status = v.status as FundingApplicationStatus;
  if (!Object.hasOwn(FUNDING_APPLICATION_STATUSES, v.status)) errors.add('status', 'Choose where the application stands');
  const submitted = readDate(errors, 'submitted', parts(v, 'submitted'), 'the date it was submitted', { required: status === 'submitted', notAfter: now, notBefore: EARLIEST });
  const decided = status === 'awarded' || status === 'declined';
  const decision = readDate(errors, 'decision', parts(v, 'decision'), 'the date of the decision', { required: decided, notAfter: now, notBefore: EARLIEST });
  if (decision && !decided) errors.add('decision-day', 'Leave the decision date empty unless the application was awarded or declined');
  else if (decision && submitted && decision < submitted) errors.add('decision-day', 'The date of the decision must be the same as or after the date it was submitted');
  const awarded = v.amountAwarded ? readMoney(v.amountAwarded) : null;
  if (status === 'awarded' && !v.amountAwarded) errors.add('amountAwarded', 'Enter the amount awarded');
  else if (v.amountAwarded && !awarded) errors.add('amountAwarded', 'Enter the amount awarded in pounds, like £1,250 or 1250.50');
  else if (v.amountAwarded && status !== 'awarded') errors.add('amountAwarded', 'Leave the amount awarded empty unless the application was awarded');
  if (errors.any || !requested) return { errors };
  return { errors, answer: {
    funder_name: v.funder, programme: v.programme || null, amount_requested: requested, status, submitted_on: submitted,
    decision_on: decided ? decision : null, amount_awarded: status === 'awarded' ? awarded : null,
  } };
}
