const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value is shaped like a record's identifier. Checked before a query so that a mistyped address answers
 * "not found" rather than PostgreSQL's "invalid input syntax for type uuid".
 */
export function isUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}
