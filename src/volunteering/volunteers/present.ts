import { THEMES } from '../../platform/vocabulary/themes.js';
import { formatUkPhone, normaliseUkPhone } from '../../platform/validation/phones.js';
import { AVAILABILITY_SLOTS, DAYS, DAY_PARTS, SKILLS, VOLUNTEER_STATUSES, slotLabel } from '../vocabulary.js';
import type { ProfileAnswers, ProfilePart } from './profile-form.js';

const checked = (labels: Record<string, string>, chosen: string[]) => Object.entries(labels).map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));

/** Checkbox and radio items of the profile form, each marked as answered. */
export function profileItems(a: ProfileAnswers) {
  return {
    ways: checked({ in_person: 'In person', remote: 'From home (online or by phone)' }, a.ways),
    skills: checked(SKILLS, a.skills),
    causes: checked(THEMES, a.causes),
    days: Object.entries(DAYS).map(([day, name]) => ({
      day, name, items: Object.entries(DAY_PARTS).map(([part, text]) => ({ value: `${day}-${part}`, text, checked: a.availability.includes(`${day}-${part}`) })),
    })),
    emergencyReserve: [{ value: 'yes', text: 'Yes', checked: a.emergencyReserve === 'yes' }, { value: 'no', text: 'No', checked: a.emergencyReserve === 'no' }],
  };
}

const labelled = (codes: string[], labels: Record<string, string>) => codes.map((c) => labels[c] ?? c).join(', ') || 'None given';

/** What each part of the profile says, in words, for check-answers and the profile pages. */
export function partSummary(a: ProfileAnswers, part: ProfilePart): { key: string; value: string }[] {
  switch (part) {
    case 'contact': return [
      { key: 'Name', value: a.fullName }, { key: 'Email address', value: a.email }, { key: 'Phone number', value: a.phone ? formatUkPhone(normaliseUkPhone(a.phone) ?? a.phone) : 'None given' },
    ];
    case 'dateOfBirth': return [{ key: 'Date of birth', value: a.dobDay ? `${a.dobDay}/${a.dobMonth}/${a.dobYear}` : 'Not given' }];
    case 'guardian': return [
      { key: 'Parent or guardian', value: a.guardianName }, { key: 'Parent or guardian contact', value: a.guardianContact },
      { key: 'Parent or guardian agrees', value: a.guardianConsent === 'yes' ? 'Yes' : 'No' },
    ];
    case 'postcode': return [{ key: 'Postcode', value: a.postcode.toUpperCase() }];
    case 'travel': return [{ key: 'Will travel', value: a.travelKm ? `${a.travelKm} km` : 'Not said' }];
    case 'ways': return [{ key: 'Can volunteer', value: labelled(a.ways, { in_person: 'In person', remote: 'From home' }) }];
    case 'skills': return [{ key: 'Skills', value: labelled(a.skills, SKILLS) }];
    case 'interests': return [{ key: 'Interests', value: a.interests || 'None given' }];
    case 'causes': return [{ key: 'Causes', value: labelled(a.causes, THEMES) }];
    case 'languages': return [{ key: 'Languages', value: a.languages || 'None given' }];
    case 'availability': return [{ key: 'Usually free', value: AVAILABILITY_SLOTS.filter((s) => a.availability.includes(s)).map(slotLabel).join(', ') || 'Not said' }];
    case 'accessNeeds': return [{ key: 'Access needs', value: a.accessNeeds || 'None given' }];
    case 'emergencyReserve': return [{ key: 'Emergency reserve', value: a.emergencyReserve === 'yes' ? 'Yes, on the emergency reserve' : 'No' }];
    case 'consent': return [
      { key: 'Agrees to a volunteer record being kept', value: a.consentRecord === 'yes' ? 'Yes' : 'No' },
      { key: 'May be contacted about volunteering', value: a.consentContact === 'yes' ? 'Yes' : 'No' },
    ];
  }
}

export const statusItems = (current: string) => Object.entries(VOLUNTEER_STATUSES).map(([value, text]) => ({ value, text, checked: value === current }));
export const statusLabel = (status: string) => VOLUNTEER_STATUSES[status as keyof typeof VOLUNTEER_STATUSES] ?? status;
