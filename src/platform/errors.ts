/**
 * The `code` of an error, when it is a string such as 'ERR_PARSE_ARGS_UNKNOWN_OPTION' or 'FST_CSRF_INVALID_TOKEN'.
 * Errors from other libraries carry numbers there (a socket's errno, a database's SQLSTATE read as a number), and
 * an error handler that assumed a string failed on them, turning one failure into a crash.
 */
export function errorCode(err: unknown): string | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : null;
}
