import { displayValue } from '../organisations/present.js';

/** What the person following a verification link is shown: the listing as the public sees it. */
const PUBLIC_FIELDS = ['name', 'description', 'address', 'postcode', 'phone', 'email', 'website', 'areas_served'] as const;
const PUBLIC_LABELS: Record<typeof PUBLIC_FIELDS[number], string> = {
  name: 'Name', description: 'What you do', address: 'Address', postcode: 'Postcode', phone: 'Phone number', email: 'Email address', website: 'Website', areas_served: 'Areas served',
};

export function publicRows(org: Record<(typeof PUBLIC_FIELDS)[number], unknown>): { label: string; value: string }[] {
  return PUBLIC_FIELDS.map((f) => ({ label: PUBLIC_LABELS[f], value: displayValue(f, org[f]) || 'Not given' }));
}
