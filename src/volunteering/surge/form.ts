import { randomBytes } from 'node:crypto';
import { FormErrors, checkEmail, checkText, list, str } from '../../platform/http/forms.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import { isUuid } from '../../platform/validation/ids.js';
import { SKILLS } from '../vocabulary.js';
import type { Cohort, SurgeSignupRow } from './repository.js';

/** A fresh key for one surge form: sent back with it, so a retried or double-submitted form is recognised. */
export const newSignupKey = () => randomBytes(16).toString('base64url');
const SIGNUP_KEY = /^[A-Za-z0-9_-]{16,100}$/;

export interface SignupValues { signupKey: string; fullName: string; email: string; phone: string; postcode: string; skills: string[]; offer: string; consent: string }

export const signupValues = (body: unknown): SignupValues => ({
  signupKey: str(body, 'signupKey'), fullName: str(body, 'fullName'), email: str(body, 'email'), phone: str(body, 'phone'),
  postcode: str(body, 'postcode'), skills: list(body, 'skills'), offer: str(body, 'offer'), consent: str(body, 'consent'),
});

export function readSignup(v: SignupValues): { errors: FormErrors; signup?: SurgeSignupRow; signupKey: string } {
  const errors = new FormErrors();
  checkText(errors, 'fullName', v.fullName, 'your full name', 200);
  checkEmail(errors, 'email', v.email, 'email address');
  const phone = v.phone ? normaliseUkPhone(v.phone) : null;
  if (v.phone && !phone) errors.add('phone', 'Enter a UK phone number, like 01632 960 001 or 07700 900 982');
  const postcode = v.postcode ? normalisePostcode(v.postcode) : null;
  if (!v.postcode) errors.add('postcode', 'Enter your postcode');
  else if (!postcode) errors.add('postcode', 'Enter a real UK postcode, like SW1A 1AA');
  if (v.skills.some((s) => !Object.hasOwn(SKILLS, s))) errors.add('skills', 'Choose what you can do from the list');
  checkText(errors, 'offer', v.offer, 'what else you can offer', 1000, false);
  if (v.skills.length === 0 && !v.offer) errors.add('skills', 'Choose what you can do, or tell us in your own words');
  if (v.consent !== 'yes') errors.add('consent', 'Tick the box to agree that we may hold your details and contact you about volunteering');
  // A form with no key (or a mangled one) still counts once: it gets a key of its own here.
  const signupKey = SIGNUP_KEY.test(v.signupKey) ? v.signupKey : newSignupKey();
  if (errors.any) return { errors, signupKey };
  return {
    errors, signupKey,
    signup: { fullName: v.fullName, email: v.email.toLowerCase(), phone, postcode: postcode!, skills: [...new Set(v.skills)], offer: v.offer || null },
  };
}

export interface SwitchValues { on: string; message: string }
export function readSwitch(v: SwitchValues): { errors: FormErrors; on: boolean; message: string | null } {
  const errors = new FormErrors();
  if (v.on !== 'yes' && v.on !== 'no') errors.add('on', 'Choose whether emergency surge mode is on');
  if (v.on === 'yes') checkText(errors, 'message', v.message, 'what the front door should say', 1000);
  return { errors, on: v.on === 'yes', message: v.on === 'yes' ? v.message : null };
}

export interface AssignValues { volunteers: string[]; to: string; locality: string; organisationId: string }
export function readAssign(v: AssignValues): { errors: FormErrors; ids: string[]; locality: string | null; organisationId: string | null } {
  const errors = new FormErrors();
  const ids = [...new Set(v.volunteers)];
  if (ids.length === 0) errors.add('volunteers', 'Select the volunteers to assign');
  else if (ids.length > 500 || !ids.every(isUuid)) errors.add('volunteers', 'Select volunteers from the list');
  if (v.to === 'locality') checkText(errors, 'locality', v.locality, 'the locality', 200);
  else if (v.to === 'organisation') { if (!isUuid(v.organisationId)) errors.add('organisationId', 'Choose the organisation'); }
  else errors.add('to', 'Choose whether to assign them to a locality or an organisation');
  return { errors, ids, locality: v.to === 'locality' ? v.locality : null, organisationId: v.to === 'organisation' && isUuid(v.organisationId) ? v.organisationId : null };
}

export interface MessageValues { cohort: string; locality: string; organisationId: string; subject: string; body: string }
export function readMessage(v: MessageValues): { errors: FormErrors; cohort?: Cohort; subject: string; body: string } {
  const errors = new FormErrors();
  let cohort: Cohort | undefined;
  if (v.cohort === 'reserve' || v.cohort === 'surge') cohort = { kind: v.cohort };
  else if (v.cohort === 'locality') {
    checkText(errors, 'locality', v.locality, 'the locality', 200);
    cohort = { kind: 'locality', locality: v.locality };
  } else if (v.cohort === 'organisation') {
    if (!isUuid(v.organisationId)) errors.add('organisationId', 'Choose the organisation');
    else cohort = { kind: 'organisation', organisationId: v.organisationId };
  } else errors.add('cohort', 'Choose who to send the message to');
  checkText(errors, 'subject', v.subject, 'a subject', 200);
  checkText(errors, 'body', v.body, 'the message', 10000);
  return { errors, cohort, subject: v.subject, body: v.body };
}
