
/**
 * What one capability holds about a person, and how it exports, erases and retains it (UK GDPR). Every table that
 * refers to a person is named in some provider's `tables`; a schema test holds that true.
 */
export interface PersonalDataProvider {
  /** Shown as a heading on the person's page and in the export: 'Directory'. */
  title: string;
  /** The tables it answers for. */
  tables: string[];
  /** Its retention rule in words, for the person's page and the privacy notice. */
  retention: string;
}
