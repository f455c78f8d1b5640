import { FormErrors, checkText, list, str } from '../../platform/http/forms.js';
import { readDate } from '../../platform/validation/dates.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import { readMoney } from '../../platform/money.js';
import { KNOWN_INCOME_BANDS as INCOME_BANDS, ORGANISATION_TYPES } from '../../platform/vocabulary/organisations.js';

/** The opportunity form as typed, to show again when it comes back with errors. */
export interface OpportunityFormValues {
  funderName: string; programme: string; summary: string; amountMin: string; amountMax: string; rolling: string;
  deadlineDay: string; deadlineMonth: string; deadlineYear: string; eligibility: string; organisationTypes: string[];
  incomeBands: string[]; themes: string[]; areas: string; url: string;
}

export const EMPTY_OPPORTUNITY: OpportunityFormValues = {
  funderName: '', programme: '', summary: '', amountMin: '', amountMax: '', rolling: 'no', deadlineDay: '', deadlineMonth: '', deadlineYear: '',
  eligibility: '', organisationTypes: [], incomeBands: [], themes: [], areas: '', url: '',
};

export function opportunityFormValues(body: unknown): OpportunityFormValues {
  return {
    funderName: str(body, 'funderName'), programme: str(body, 'programme'), summary: str(body, 'summary'), amountMin: str(body, 'amountMin'),
    amountMax: str(body, 'amountMax'), rolling: str(body, 'rolling'), deadlineDay: str(body, 'deadline-day'), deadlineMonth: str(body, 'deadline-month'),
    deadlineYear: str(body, 'deadline-year'), eligibility: str(body, 'eligibility'), organisationTypes: list(body, 'organisationTypes'),
    incomeBands: list(body, 'incomeBands'), themes: list(body, 'themes'), areas: str(body, 'areas'), url: str(body, 'url'),
  };
}

/** An opportunity as checked, ready to store. */
export interface OpportunityValues {
  funderName: string; programme: string; summary: string; amountMin: string | null; amountMax: string | null; deadline: string | null;
  eligibility: string | null; organisationTypes: string[]; incomeBands: string[]; themes: string[]; areas: string[]; url: string | null;
}

function readAmount(errors: FormErrors, field: string, value: string, label: string): string | null {
  if (!value) return null;
  const amount = readMoney(value);
  if (amount === null) errors.add(field, `Enter the ${label} as an amount in pounds, like 500 or £2,500.50`);
  return amount;
}

const chosen = (errors: FormErrors, field: string, values: string[], vocabulary: Record<string, string>, what: string) => {
  const known = values.filter((v) => Object.hasOwn(vocabulary, v));
  if (known.length !== values.length) errors.add(field, `Choose the ${what} from the list`);
  return Object.keys(vocabulary).filter((k) => known.includes(k));
};

function readAreas(errors: FormErrors, text: string): string[] {
  const areas = [...new Set(text.split(/[\n\r,]+/).map((a) => a.replace(/\s+/g, ' ').trim()).filter(Boolean))];
  if (areas.length > 50) errors.add('areas', 'Enter 50 areas or fewer');
  else if (areas.some((a) => a.length > 100)) errors.add('areas', 'Each area must be 100 characters or fewer');
  return areas;
}

/** Checks the opportunity form; a deadline in the past is allowed on an edit (a late correction), not when adding. */
export function readOpportunityForm(v: OpportunityFormValues, today: string, adding: boolean): { errors: FormErrors; opportunity: OpportunityValues } {
  const errors = new FormErrors();
  checkText(errors, 'funderName', v.funderName, 'the funder’s name', 200);
  checkText(errors, 'programme', v.programme, 'the name of the programme', 200);
  checkText(errors, 'summary', v.summary, 'what the programme funds', 5000);
  const amountMin = readAmount(errors, 'amountMin', v.amountMin, 'smallest grant');
  const amountMax = readAmount(errors, 'amountMax', v.amountMax, 'largest grant');
  if (amountMin && amountMax && Number(amountMin) > Number(amountMax)) errors.add('amountMax', 'The largest grant must be the same as or more than the smallest');
  if (!['yes', 'no'].includes(v.rolling)) errors.add('rolling', 'Choose whether the programme has a deadline');
  let deadline: string | null = null;
  if (v.rolling === 'no') {
    deadline = readDate(errors, 'deadline', { day: v.deadlineDay, month: v.deadlineMonth, year: v.deadlineYear }, 'the deadline', { required: true });
    if (deadline && adding && deadline < today) errors.add('deadline-day', 'The deadline must be today or in the future');
  }
  checkText(errors, 'eligibility', v.eligibility, 'who can apply', 5000, false);
  const organisationTypes = chosen(errors, 'organisationTypes', v.organisationTypes, ORGANISATION_TYPES, 'types of organisation');
  const incomeBands = chosen(errors, 'incomeBands', v.incomeBands, INCOME_BANDS, 'income bands');
  const themes = chosen(errors, 'themes', v.themes, THEMES, 'themes');
  const areas = readAreas(errors, v.areas);
  if (v.url && (v.url.length > 2000 || !isWebAddress(v.url))) errors.add('url', 'Enter the web address of the programme, starting https:// or http://');
  return {
    errors,
    opportunity: {
      funderName: v.funderName, programme: v.programme, summary: v.summary, amountMin, amountMax, deadline, eligibility: v.eligibility || null,
      organisationTypes, incomeBands, themes, areas, url: v.url || null,
    },
  };
}

/** The values of a stored opportunity, to edit. */
export function formValuesOf(o: { funder_name: string; programme: string; summary: string; amount_min: string | null; amount_max: string | null; deadline: string | null;
  eligibility: string | null; organisation_types: string[]; income_bands: string[]; themes: string[]; areas: string[]; url: string | null }): OpportunityFormValues {
  const [year = '', month = '', day = ''] = o.deadline ? o.deadline.split('-') : [];
  const amount = (a: string | null) => (a ? a.replace(/\.00$/, '') : '');
  return {
    funderName: o.funder_name, programme: o.programme, summary: o.summary, amountMin: amount(o.amount_min), amountMax: amount(o.amount_max),
    rolling: o.deadline ? 'no' : 'yes', deadlineDay: day ? String(Number(day)) : '', deadlineMonth: month ? String(Number(month)) : '', deadlineYear: year,
    eligibility: o.eligibility ?? '', organisationTypes: o.organisation_types, incomeBands: o.income_bands, themes: o.themes, areas: o.areas.join('\n'), url: o.url ?? '',
  };
}
