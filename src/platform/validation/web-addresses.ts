/**
 * A web address a person or a machine can follow: http or https, a host name with a dot (so "www" or a bare word
 * typed by mistake is refused) and no spaces. Any other scheme (ftp:, javascript:) is refused, since the address is
 * shown as a link.
 */
export function isWebAddress(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}

/**
 * The address if it may be shown as a link (isWebAddress), else null: what the pages and the APIs pass on, whatever a
 * stored record holds (an import from before the rule, a row written by hand), so that no `javascript:` or `data:`
 * address ever becomes a link.
 */
export function webAddressOrNull(value: string | null | undefined): string | null {
  return value && isWebAddress(value) ? value : null;
}
