/** Text made literal inside a LIKE pattern: %, _ and the escape character itself match only themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, '\\$&');
}

/** A LIKE pattern matching values that contain the text anywhere. */
export function containing(text: string): string {
  return `%${escapeLike(text)}%`;
}
