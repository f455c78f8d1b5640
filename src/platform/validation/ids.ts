const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from URLs and forms are checked before they reach the database, which would refuse a malformed uuid with an error (a 500). */
export const isUuid = (value: string): boolean => UUID.test(value);
