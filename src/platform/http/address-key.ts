import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * What an address is counted as: an IPv4 address itself (also written as IPv6, ::ffff:192.0.2.1); an IPv6 address as
 * its /64, the network one household or office is given, within which a client may take any address it likes.
 */
export function addressKey(address: string): string {
  const bare = address.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (isIP(bare) !== 6) return address;
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head = '', tail] = bare.split('::');
  const full = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return `${full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** The key every rate limit counts a request by (`keyGenerator`): its address as addressKey counts it. */
export const byAddress = (request: FastifyRequest): string => addressKey(request.ip);
