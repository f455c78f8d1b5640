import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import dns, { type LookupAddress } from 'node:dns';
import net from 'node:net';
import type { ImportLimits } from '../config.js';

/**
 * Reading from an address someone typed (an import's feed): only public internet addresses unless the operator
 * allows others, checked after the name is resolved and on every redirect, with the address checked being the one
 * connected to (so a name cannot resolve to a public address for the check and a private one for the connection).
 * The whole answer, headers and body, must arrive within the time limit and the size limit.
 */

/** The answer could not be had; the message says why, in words for the person who typed the address. */
export class OutboundError extends Error {
  constructor(message: string, readonly reason: 'refused' | 'unreachable' | 'dropped' | 'status' | 'too_large' | 'too_slow' | 'broken') {
    super(message);
  }
}

/** Addresses that are not on the public internet: loopback, private, link-local, CGNAT, multicast, reserved, documentation. */
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');

/** Whether an IP address (v4, v6, or v4 written as v6) is on the public internet. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1] ?? ipv4InHex(bare);
  if (mapped) return !NOT_PUBLIC.check(mapped, 'ipv4');
  const family = net.isIP(bare);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** ::ffff:7f00:1, the v4-mapped form URL parsing gives, as 127.0.0.1. */
function ipv4InHex(address: string): string | null {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!m) return null;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Whether the import may connect to `address`: a public one, or one the operator allows. */
function allowedBy(setting: ImportLimits['allowPrivateAddresses']): (address: string) => boolean {
  if (setting === true) return () => true;
  if (setting === false || setting.length === 0) return isPublicAddress;
  const allowed = new net.BlockList();
  for (const entry of setting) {
    const [address = '', bits] = entry.split('/');
    const type = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) allowed.addAddress(address, type);
    else allowed.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    if (isPublicAddress(address)) return true;
    const bare = address.replace(/^\[|\]$/g, '');
    return allowed.check(bare, net.isIP(bare) === 6 ? 'ipv6' : 'ipv4');
  };
}

export const PRIVATE_ADDRESS_SETTING = 'IMPORT_ALLOW_PRIVATE_ADDRESSES=true';

function refused(asked: URL, at: URL): OutboundError {
  const where = asked.href === at.href ? '' : ` (it redirected to ${at.host})`;
  return new OutboundError(`${asked.href} was refused: it is not a public internet address${where}. An operator can allow private and local addresses with ${PRIVATE_ADDRESS_SETTING}`, 'refused');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A name resolved as usual, refused when any of its addresses is not public: the connection uses only what was checked. */
function checkingLookup(allowed: (address: string) => boolean, onRefused: () => void) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    dns.lookup(hostname, { all: true, ...(typeof options.family === 'number' && options.family ? { family: options.family } : {}) }, (err, addresses) => {
      if (err) return callback(err, '');
      if (addresses.length === 0 || addresses.some((a) => !allowed(a.address))) {
        onRefused();
        const error: NodeJS.ErrnoException = new Error('not a public address');
        error.code = 'EREFUSEDADDRESS';
        return callback(error, '');
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export interface OutboundOptions extends Pick<ImportLimits, 'allowPrivateAddresses' | 'maxBytes' | 'timeoutMs'> {
  headers?: Record<string, string>;
  /** redirects followed at most */
  maxRedirects?: number;
}

/**
 * GETs `url` and gives its body as a stream of chunks, which ends with an OutboundError when the answer breaks a
 * limit. The time limit covers the whole answer, from asking to the body's last byte.
 */
export async function getPublic(url: URL, options: OutboundOptions): Promise<AsyncIterable<Buffer>> {
  const deadline = Date.now() + options.timeoutMs;
  const seconds = Math.round(options.timeoutMs / 1000);
  let at = url;
  for (let redirects = 0; ; redirects++) {
    const response = await ask(url, at, options, deadline, seconds);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.resume();
      if (redirects >= (options.maxRedirects ?? 5)) throw new OutboundError(`${url.href} redirected too many times`, 'unreachable');
      const next = new URL(location, at);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new OutboundError(`${url.href} redirected to an address that is not http or https`, 'refused');
      at = next;
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new OutboundError(`${url.href} answered ${status} ${response.statusMessage ?? ''}`.trim(), 'status');
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.destroy();
      throw new OutboundError(tooLarge(url, options.maxBytes), 'too_large');
    }
    return limited(url, response, options, deadline, seconds);
  }
}

export function tooLarge(what: URL | string, maxBytes: number): string {
  return `${typeof what === 'string' ? what : what.href} is larger than the limit of ${Math.round(maxBytes / (1024 * 1024))} MB for an import`;
}

/** A connection closed before any answer came: a GET may be asked again. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE']);

function ask(asked: URL, at: URL, options: OutboundOptions, deadline: number, seconds: number): Promise<IncomingMessage> {
  if (at.protocol !== 'http:' && at.protocol !== 'https:') return Promise.reject(new OutboundError(`${asked.href} is not an http or https address`, 'refused'));
  const host = at.hostname.replace(/^\[|\]$/g, '');
  const allowed = allowedBy(options.allowPrivateAddresses);
  // A literal address is connected to without a lookup, so it is checked here.
  if (net.isIP(host) !== 0 && !allowed(host)) return Promise.reject(refused(asked, at));
  return new Promise((resolve, reject) => {
    let wasRefused = false;
    const get = at.protocol === 'https:' ? https.get : http.get;
    const request = get(at, {
      headers: { accept: 'application/json', ...options.headers },
      // a fresh connection each time, so that one made to an address checked for another name is never reused
      agent: false,
      ...(options.allowPrivateAddresses === true ? {} : { lookup: checkingLookup(allowed, () => { wasRefused = true; }) as unknown as typeof dns.lookup }),
    }, resolve);
    const remaining = deadline - Date.now();
    const timer = setTimeout(() => request.destroy(new OutboundError(`${asked.href} could not be reached: no answer within ${seconds} seconds`, 'too_slow')), Math.max(0, remaining));
    request.on('response', () => clearTimeout(timer));
    request.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (wasRefused) return reject(refused(asked, at));
      if (err instanceof OutboundError) return reject(err);
      reject(new OutboundError(`${asked.href} could not be reached: ${err.code ?? err.message}`, DROPPED.has(err.code ?? '') ? 'dropped' : 'unreachable'));
    });
  });
}

async function* limited(url: URL, response: IncomingMessage, options: OutboundOptions, deadline: number, seconds: number): AsyncGenerator<Buffer> {
  let bytes = 0;
  const timer = setTimeout(() => response.destroy(new OutboundError(`${url.href} did not send its whole answer within ${seconds} seconds`, 'too_slow')), Math.max(0, deadline - Date.now()));
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) throw new OutboundError(tooLarge(url, options.maxBytes), 'too_large');
      yield chunk;
    }
    if (!response.complete) throw new OutboundError(`${url.href} closed the connection before the whole answer came`, 'broken');
  } catch (err) {
    if (err instanceof OutboundError) throw err;
    throw new OutboundError(`${url.href} closed the connection before the whole answer came (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'broken');
  } finally {
    clearTimeout(timer);
    if (!response.complete) response.destroy();
  }
}
