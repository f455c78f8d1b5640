import type { DeliveryMode } from '../../platform/db/directory-schema.js';

/**
 * How a service is delivered: one table of the modes, in the order they are shown, with the one label every page,
 * spreadsheet and report uses. "Home visits" (not "Home visit") because the label names how the service reaches
 * people, read beside "By phone" and "Online" in a list of a service's ways of working as well as on a checkbox.
 */
export const DELIVERY_MODES: readonly { value: DeliveryMode; text: string }[] = [
  { value: 'in_person', text: 'In person' },
  { value: 'phone', text: 'By phone' },
  { value: 'online', text: 'Online' },
  { value: 'home_visit', text: 'Home visits' },
];

export const DELIVERY_MODE_LABELS = Object.fromEntries(DELIVERY_MODES.map((m) => [m.value, m.text])) as Record<DeliveryMode, string>;

/** Labels written before the one table, which spreadsheets exported then still carry: read as the same mode. */
export const FORMER_DELIVERY_MODE_LABELS: Record<string, DeliveryMode> = { 'home visit': 'home_visit' };

const MODE_ORDER: readonly string[] = DELIVERY_MODES.map((m) => m.value);

export const modeLabel = (mode: string) => DELIVERY_MODE_LABELS[mode as DeliveryMode] ?? mode;

export const sortModes = <T extends string>(modes: readonly T[]): T[] =>
  [...new Set(modes)].sort((a, b) => MODE_ORDER.indexOf(a) - MODE_ORDER.indexOf(b) || a.localeCompare(b));

export const modesText = (modes: readonly string[]) => (modes.length ? sortModes(modes).map(modeLabel).join(', ') : 'Not recorded');
