import type { CaseAskedVia, CaseStatus, FundingApplicationStatus, OutcomeKind, SupportTopic, BulletinSegment } from '../platform/db/support-schema.js';

/** What a group can ask the LIO for help with: one topic per support case. */
export const SUPPORT_TOPICS: Record<SupportTopic, string> = {
  setting_up: 'Setting up a group',
  governance: 'Governance and constitution',
  charity_registration: 'Registering as a charity',
  funding: 'Funding and bids',
  finance: 'Finance and accounts',
  policies_safeguarding: 'Policies and safeguarding',
  volunteers: 'Volunteers',
  premises: 'Premises',
  digital: 'Digital',
  other: 'Something else',
};

export const ASKED_VIA: Record<CaseAskedVia, string> = {
  enquiry_form: 'Enquiry form',
  phone: 'Phone',
  email: 'E-mail',
  referral: 'Referral',
  in_person: 'In person',
};

export const CASE_STATUSES: Record<CaseStatus, string> = {
  new: 'New',
  open: 'Open',
  waiting_on_group: 'Waiting on the group',
  closed: 'Closed',
};

/** Outcomes funders ask LIOs to count. */
export const OUTCOME_KINDS: Record<OutcomeKind, string> = {
  policy_adopted: 'Policy adopted',
  registered_charity: 'Registered as a charity',
  incorporated: 'Incorporated (CIO, CIC or company)',
  governance_improved: 'Governance improved',
  finance_improved: 'Financial management improved',
  volunteers_recruited: 'Volunteers recruited',
  premises_secured: 'Premises secured',
  digital_improved: 'Digital skills or tools improved',
  other: 'Other outcome',
};

export const FUNDING_APPLICATION_STATUSES: Record<FundingApplicationStatus, string> = {
  in_preparation: 'Being prepared',
  submitted: 'Submitted',
  awarded: 'Awarded',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
};

export const BULLETIN_SEGMENTS: Record<BulletinSegment, string> = {
  members: 'Members',
  all_groups: 'All groups',
  groups_by_theme: 'Groups working on a theme',
  groups_by_area: 'Groups serving an area',
  volunteers: 'Volunteers',
};
