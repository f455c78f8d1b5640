import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { logFormatFor, loggerOptions, type LogFormat } from '../src/platform/logging.js';

/** A bare Fastify app logging in `format` into a buffer, with one route that takes an id. */
async function logsOf(format: LogFormat, urls: string[]): Promise<string[]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  const app = Fastify({ logger: loggerOptions('info', format, out) });
  app.get('/organisations/:id', async () => ({ ok: true }));
  for (const url of urls) await app.inject({ method: 'GET', url, headers: { cookie: 'cg_session=secret-session-id', authorization: 'Bearer secret-token' } });
  app.log.info('a message of its own');
  await app.close();
  // The pretty stream writes on its next turn.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return text.split('\n').filter(Boolean);
}

describe('log format', () => {
  it('is LOG_FORMAT when set, otherwise pretty on a terminal and JSON elsewhere', () => {
    expect(logFormatFor(null, true)).toBe('pretty');
    expect(logFormatFor(null, false)).toBe('json');
    expect(logFormatFor('json', true)).toBe('json');
    expect(logFormatFor('pretty', false)).toBe('pretty');
  });

  it('pretty: one readable line per entry, by route pattern, with no URL, cookie or token', async () => {
    const id = randomUUID();
    const lines = await logsOf('pretty', [`/organisations/${id}?email=someone%40example.org`]);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO/);
      expect(line).not.toMatch(/[{}]/);
    }
    expect(lines[0]).toMatch(/GET \/organisations\/:id incoming request$/);
    expect(lines[1]).toMatch(/200 request completed in \d+ ms$/);
    expect(lines[2]).toMatch(/INFO.*a message of its own$/);
    const all = lines.join('\n');
    for (const secret of [id, 'example.org', 'secret-session-id', 'secret-token']) expect(all).not.toContain(secret);
  });

  it('json: one JSON object per line, by route pattern, with no URL, cookie or token', async () => {
    const id = randomUUID();
    const lines = await logsOf('json', [`/organisations/${id}`]);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ msg: 'incoming request', req: { method: 'GET', route: '/organisations/:id' } });
    expect(entries[1]).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
    const all = lines.join('\n');
    for (const secret of [id, 'secret-session-id', 'secret-token']) expect(all).not.toContain(secret);
  });
});
