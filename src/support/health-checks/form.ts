import { FormErrors, str } from '../../platform/http/forms.js';
import { readDate } from '../../platform/validation/dates.js';

/**
 * The group health check: nine questions an adviser asks with the group before support and again after it, each
 * scored 0 to 4, with words for each level so two advisers score a group alike.
 */
export const HEALTH_QUESTIONS: { code: string; area: string; question: string; levels: [string, string, string, string, string] }[] = [
  { code: 'governance', area: 'Governance', question: 'Does the group have a governing document and trustees or a committee who meet and decide together?',
    levels: ['No governing document or committee', 'A document, but the committee rarely meets', 'A committee meets, with gaps in roles or minutes', 'Regular meetings, clear roles and minutes', 'Strong, reviewed governance with a skills mix and succession plan'] },
  { code: 'finance', area: 'Finance', question: 'Does the group keep its money well: a bank account, records, budgets and accounts?',
    levels: ['No bank account or records', 'A bank account, few records', 'Records kept, no budget', 'Budget and records, accounts made each year', 'Budgets reviewed often, accounts examined, reserves policy'] },
  { code: 'policies', area: 'Policies', question: 'Does the group have the policies it needs (equality, data protection, health and safety, complaints)?',
    levels: ['None', 'One or two, out of date', 'Most in place, not reviewed', 'All in place and known to the committee', 'All in place, reviewed each year and followed'] },
  { code: 'safeguarding', area: 'Safeguarding', question: 'Does the group keep children and adults at risk safe?',
    levels: ['No safeguarding arrangements', 'Aware of the need, nothing written', 'A policy, no lead or training', 'A policy, a named lead and checks where needed', 'Policy, lead, training and checks all current and reviewed'] },
  { code: 'volunteers', area: 'Volunteers', question: 'Does the group recruit, support and keep its volunteers well?',
    levels: ['Struggles to find anyone', 'Relies on a few people', 'Some recruitment, little support', 'Roles, induction and support in place', 'A thriving team with roles, training and thanks'] },
  { code: 'planning', area: 'Planning', question: 'Does the group know what it wants to achieve and how?',
    levels: ['No plan', 'Ideas, nothing written', 'A plan for this year', 'A plan with aims and measures, shared with members', 'A plan reviewed against evidence of what changed'] },
  { code: 'funding_mix', area: 'Funding mix', question: 'How secure is the group’s income?',
    levels: ['No income', 'One source, ending soon', 'One main source', 'Several sources, some for more than a year', 'A varied mix with reserves and earned income'] },
  { code: 'impact', area: 'Evidence of impact', question: 'Can the group show the difference it makes?',
    levels: ['Nothing recorded', 'Stories only', 'Counts of people helped', 'Counts and feedback collected regularly', 'Outcomes measured and reported to funders and members'] },
  { code: 'digital', area: 'Digital', question: 'Does the group use digital tools safely and well?',
    levels: ['No digital presence or tools', 'A personal e-mail address only', 'Group e-mail and social media', 'A website, shared files and safe passwords', 'Digital tools used well, with data kept safe and backed up'] },
];

export const MAX_SCORE = HEALTH_QUESTIONS.length * 4;
export type HealthValues = Record<string, string>;
export const healthValues = (body: unknown): HealthValues =>
  Object.fromEntries(['stage', 'assessed-day', 'assessed-month', 'assessed-year', ...HEALTH_QUESTIONS.map((q) => q.code)].map((f) => [f, str(body, f)]));

/** Every question answered with a level from 0 to 4, whether it is before or after support, and the day it was done. */
export function readHealthCheck(v: HealthValues, now: Date) {
  const errors = new FormErrors();
  if (v.stage !== 'before' && v.stage !== 'after') errors.add('stage', 'Choose whether this is before or after support');
  const answers: Record<string, number> = {};
  for (const q of HEALTH_QUESTIONS) {
    const value = v[q.code] ?? '';
    if (!/^[0-4]$/.test(value)) errors.add(q.code, `Choose a level for ${q.area.toLowerCase()}`);
    else answers[q.code] = Number(value);
  }
  const assessedOn = readDate(errors, 'assessed', { day: v['assessed-day'] ?? '', month: v['assessed-month'] ?? '', year: v['assessed-year'] ?? '' },
    'the date of the health check', { required: true, notAfter: now, notBefore: new Date(Date.UTC(2000, 0, 1)) });
  if (errors.any || !assessedOn) return { errors };
  const score = Object.values(answers).reduce((a, b) => a + b, 0);
  return { errors, answer: { stage: v.stage as 'before' | 'after', answers, score, assessedOn } };
}
