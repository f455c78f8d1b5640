import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import type { SupportTopic } from '../../platform/db/support-schema.js';
import { SUPPORT_TOPICS } from '../vocabulary.js';

const FIELDS = ['topic', 'request', 'contactBy', 'phone'] as const;
export type RequestValues = Record<(typeof FIELDS)[number], string>;
export const requestValues = (body: unknown): RequestValues => Object.fromEntries(FIELDS.map((f) => [f, str(body, f)])) as RequestValues;

/** The case's title: the first line of what they need, cut at a word near 80 characters. */
export function titleFrom(request: string): string {
  const line = request.split(/\r?\n/).find((l) => l.trim())?.trim() ?? request.trim();
  if (line.length <= 80) return line;
  const cut = line.slice(0, 80);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 40 ? cut.lastIndexOf(' ') : 80)}…`;
}

/** A group asks for support: what about, what they need, and how the adviser should get in touch (a phone number for a call). */
export function readRequest(v: RequestValues) {
  const errors = new FormErrors();
  if (!Object.hasOwn(SUPPORT_TOPICS, v.topic)) errors.add('topic', 'Choose what you would like support with');
  checkText(errors, 'request', v.request, 'what you need', 5000);
  if (v.contactBy !== 'email' && v.contactBy !== 'phone') errors.add('contactBy', 'Choose how you would like us to contact you');
  const phone = v.phone ? normaliseUkPhone(v.phone) : null;
  if (v.contactBy === 'phone' && !v.phone) errors.add('phone', 'Enter a phone number we can call you on');
  else if (v.phone && !phone) errors.add('phone', 'Enter a UK phone number, like 01632 960 001 or 07700 900 982');
  if (errors.any) return { errors };
  return { errors, answer: { topic: v.topic as SupportTopic, request: v.request, title: titleFrom(v.request), contactBy: v.contactBy as 'email' | 'phone', phone } };
}

export function readMessage(body: unknown) {
  const errors = new FormErrors();
  const message = str(body, 'message');
  checkText(errors, 'message', message, 'your message', 5000);
  return { errors, message };
}
