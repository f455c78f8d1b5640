/**
 * The longest free text each kind of field takes, in characters: one rule for the forms (an error message) and the
 * API schemas (maxLength), so that a record accepted one way is never refused the other. A name fits a line and a
 * database index; a description holds a long page of words, not a pasted document.
 */
export const NAME_MAX_LENGTH = 255;
export const DESCRIPTION_MAX_LENGTH = 10_000;
