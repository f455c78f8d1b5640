/** Errors shaped for govukErrorSummary and each field's errorMessage. */
export interface FieldError { text: string; href: string }

export class FormErrors {
  readonly list: FieldError[] = [];
  add(field: string, text: string): void {
    if (!this.list.some((e) => e.href === `#${field}`)) this.list.push({ text, href: `#${field}` });
  }
  get any(): boolean { return this.list.length > 0; }
}

// Control characters are never part of an address (and PostgreSQL cannot store NUL at all).
// eslint-disable-next-line no-control-regex
const EMAIL = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+@[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+\.[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]{2,}$/;
/** PostgreSQL text cannot hold NUL: a form value carrying one would make the query fail (a 500), so it is dropped. */
const withoutNul = (value: string) => value.replaceAll('\u0000', '');

export function str(body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (Array.isArray(value)) return withoutNul(String(value[0] ?? '')).trim();
  return typeof value === 'string' ? withoutNul(value).trim() : '';
}

export function list(body: unknown, field: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map((v) => withoutNul(String(v)));
}

export function checkEmail(errors: FormErrors, field: string, value: string, what = 'email address'): void {
  if (!value) errors.add(field, `Enter an ${what}`);
  else if (value.length > 254) errors.add(field, `The ${what} must be 254 characters or fewer`);
  else if (!EMAIL.test(value)) errors.add(field, `Enter an ${what} in the correct format, like name@example.org`);
}

export function checkText(errors: FormErrors, field: string, value: string, label: string, max: number, required = true): void {
  if (!value && required) errors.add(field, `Enter ${label}`);
  else if (value.length > max) errors.add(field, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}
