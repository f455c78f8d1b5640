/**
 * The sector's theme vocabulary, shared by every capability: what an organisation works on (directory), the causes a
 * volunteer cares about and a role serves (volunteering), what a funding programme or a course is about (support).
 */
/** Stored by code (stable when a label is reworded), shown by label. */
export const THEMES: Record<string, string> = {
  advice: 'Advice and information', arts: 'Arts and culture', loneliness: 'Befriending and loneliness', families: 'Children, young people and families',
  community: 'Community development', crisis: 'Crisis and emergency support', safety: 'Crime and community safety', digital: 'Digital inclusion',
  disability: 'Disability', learning: 'Education and training', employment: 'Employment and skills', environment: 'Environment',
  equalities: 'Equalities and human rights', faith: 'Faith', food: 'Food', health: 'Health and wellbeing', heritage: 'Heritage',
  housing: 'Housing and homelessness', mental_health: 'Mental health', older: 'Older people', money: 'Poverty and cost of living',
  sport: 'Sport and physical activity', transport: 'Transport', volunteering: 'Volunteering',
};
/** Other words met for a theme in held data and spreadsheets (the demo data once used the directory taxonomy's words). */
const THEME_ALIASES: Record<string, string> = {
  'children and young people': 'families', communities: 'equalities', 'mental-health': 'mental_health', 'poverty': 'money', 'cost of living': 'money',
};
/** The code of a value in a vocabulary, read from its code or label in any case or an other word for it; a value not in it is kept as it is. */
export function codeIn(vocabulary: Record<string, string>, value: string, aliases: Record<string, string> = {}): string {
  const trimmed = value.replace(/\s+/g, ' ').trim();
  if (Object.hasOwn(vocabulary, trimmed)) return trimmed;
  const lower = trimmed.toLowerCase();
  return Object.entries(vocabulary).find(([code, label]) => code.toLowerCase() === lower || label.toLowerCase() === lower)?.[0]
    ?? (Object.hasOwn(aliases, lower) ? aliases[lower]! : trimmed);
}
export const themeCode = (value: string): string => codeIn(THEMES, value, THEME_ALIASES);
/** Codes for each value, once each, in the order given. */
export const codesOf = (values: readonly string[], code: (value: string) => string): string[] => [...new Set(values.map(code).filter(Boolean))];
