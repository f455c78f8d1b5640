import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

declare module 'fastify' {
  interface FastifyReply {
    /** This response's CSP nonce, for the page's script tags (one value serves scripts and styles). */
    cspNonce: { script: string; style: string };
  }
}

/**
 * helmet's security headers on every response, with a fresh CSP nonce each time. The headers are worked out
 * by helmet once, at start-up, with a marker where the nonce goes; a response only fills it in. (The Fastify
 * plugin builds helmet's middleware anew for every response that has a nonce, which a busy public search
 * would pay for on every page.)
 */
export function registerSecurityHeaders(app: FastifyInstance, options: { secure: boolean }): void {
  const mark = `cgnonce${randomBytes(8).toString('hex')}`;
  const headers: [string, string][] = [];
  const collect = {
    setHeader: (name: string, value: string) => { headers.push([name.toLowerCase(), value]); },
    removeHeader: () => undefined,
  } as unknown as ServerResponse;
  helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'img-src': ["'self'", 'data:'],
        'script-src': ["'self'", `'nonce-${mark}'`],
        'style-src': ["'self'", `'nonce-${mark}'`],
        'upgrade-insecure-requests': options.secure ? [] : null,
      },
    },
    hsts: options.secure,
  })({} as IncomingMessage, collect, () => undefined);
  const fixed = headers.filter(([name]) => name !== 'content-security-policy');
  const policy = headers.find(([name]) => name === 'content-security-policy')?.[1];
  if (!policy) throw new Error('helmet gave no Content-Security-Policy');

  app.decorateReply('cspNonce', null as unknown as { script: string; style: string });
  app.addHook('onRequest', (_request, reply, done) => {
    const nonce = freshNonce();
    reply.cspNonce = { script: nonce, style: nonce };
    for (const [name, value] of fixed) reply.header(name, value);
    reply.header('content-security-policy', policy.replaceAll(mark, nonce));
    done();
  });
}

/**
 * 128 random bits, never handed out twice. They are drawn from the system's generator 256 nonces at a time:
 * asking it once per response was a measurable share of the cost of a kept page or API answer.
 */
let randomPool = Buffer.alloc(0);
let drawn = 0;
function freshNonce(): string {
  if (drawn + 16 > randomPool.length) {
    randomPool = randomBytes(4096);
    drawn = 0;
  }
  const nonce = randomPool.toString('hex', drawn, drawn + 16);
  drawn += 16;
  return nonce;
}
