import { FormErrors, checkEmail, checkText } from '../../platform/http/forms.js';

/** What an operator gives for a new LIO, from the page or the create-lio command. */
export interface LioFormValues { slug: string; name: string; hostnames: string; adminName: string; adminEmail: string }
export interface NewLio { slug: string; name: string; hostnames: string[]; adminName: string; adminEmail: string }

const SLUG = /^[a-z0-9-]{2,60}$/;
// A host name as DNS has it: labels of letters, digits and hyphens, not starting or ending with a hyphen; no port.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function isHostname(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => LABEL.test(label));
}

/** The host names typed, one per line or separated by commas or spaces, in lower case as requests are matched. */
export function splitHostnames(value: string): string[] {
  return [...new Set(value.split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter(Boolean))];
}

/** Checks the form on its own; whether the slug and host names are free is the service's to check. */
export function readNewLio(values: LioFormValues): { lio: NewLio; errors: FormErrors } {
  const errors = new FormErrors();
  checkText(errors, 'name', values.name, 'the name of the LIO', 200);
  if (!values.slug) errors.add('slug', 'Enter a short name, like riverside-cvs');
  else if (!SLUG.test(values.slug)) errors.add('slug', 'The short name must be 2 to 60 lower-case letters, digits or hyphens');
  const hostnames = splitHostnames(values.hostnames);
  const bad = hostnames.filter((h) => !isHostname(h));
  if (!hostnames.length) errors.add('hostnames', 'Enter at least one host name, like riverside.example.org');
  else if (bad.length) errors.add('hostnames', `${bad.join(', ')} ${bad.length === 1 ? 'is not a host name' : 'are not host names'}: use only letters, digits, hyphens and dots, with no https:// or port`);
  checkText(errors, 'adminName', values.adminName, 'the full name of its first admin', 120);
  checkEmail(errors, 'adminEmail', values.adminEmail, 'email address for its first admin');
  return { lio: { slug: values.slug, name: values.name, hostnames, adminName: values.adminName, adminEmail: values.adminEmail }, errors };
}
