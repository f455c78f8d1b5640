import { FormErrors, list, str } from '../../platform/http/forms.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';

/** The two forms of /admin/imports: an Open Referral feed (its address, or files) and a spreadsheet of the register. */

export type Fields = Record<string, string | string[]>;
export type Upload = { name: string; text: string };

const files = (body: unknown, field: string): Upload[] => {
  const texts = list(body, field);
  const names = list(body, `${field}Filename`);
  return texts.map((text, i) => ({ name: names[i] ?? `file-${i + 1}`, text })).filter((f) => f.name !== '' || f.text !== '');
};

/** The feed form: an address, or files already stored as they were uploaded (their names). */
export function readFeedForm(body: unknown, uploaded: string[]) {
  const url = str(body, 'url');
  const errors = new FormErrors();
  if (!url && uploaded.length === 0) errors.add('url', 'Enter the address of a feed, or choose files to upload');
  else if (url && uploaded.length) errors.add('url', 'Enter an address or choose files, not both');
  else if (url.length > 2000) errors.add('url', 'The feed’s address must be 2,000 characters or fewer');
  else if (url && !isWebAddress(url)) errors.add('url', 'Enter the feed’s address in full, starting with https:// or http://');
  return { errors, values: { url } };
}

export function readSpreadsheetForm(body: unknown) {
  const what = str(body, 'what');
  const [file] = files(body, 'file');
  const errors = new FormErrors();
  if (what !== 'organisations' && what !== 'services') errors.add('what', 'Select what the spreadsheet holds: organisations or services');
  if (!file || (!file.text && !file.name)) errors.add('file', 'Choose a CSV file to upload');
  else if (!/\.csv$/i.test(file.name)) errors.add('file', 'The file must be a CSV file (saved from a spreadsheet as “CSV”)');
  return { errors, values: { what }, what: what as 'organisations' | 'services', file: file! };
}
