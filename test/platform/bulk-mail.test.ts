import { describe, expect, it } from 'vitest';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { bulkMessage, safeHeaders } from '../../src/platform/mail.js';

/** The whole part encoded in one go, as nodemailer encodes a message it builds itself. */
const wholePart = (s: string) => qpWrap(qpEncode(s.replace(/\r?\n/g, '\r\n')), 76);

/** The headers (unfolded) and the bodies of the text and HTML parts of a multipart/alternative message. */
function partsOf(raw: string) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = head!.replace(/\r\n[ \t]+/g, ' ');
  const boundary = /boundary="([^"]+)"/.exec(headers)![1]!;
  const body = rest.join('\r\n\r\n');
  const parts = body.split(`\r\n--${boundary}`).map((p) => p.replace(new RegExp(`^--${boundary}`), ''));
  const bodyOf = (type: string) => {
    const part = parts.find((p) => p.includes(`Content-Type: ${type}; charset=utf-8`))!;
    return part.slice(part.indexOf('\r\n\r\n') + 4);
  };
  return { headers, text: bodyOf('text/plain'), html: bodyOf('text/html'), end: body.endsWith(`\r\n--${boundary}--\r\n`) };
}

describe('a bulk message made once and copied per recipient', () => {
  const longLine = `${'Grants for warm spaces this winter, from £500 to £5,000 — ask us. '.repeat(6)}\n`;
  const head = {
    subject: 'Spring bulletin: café grants and trustees’ training',
    text: `Hello everyone.\n\n${longLine}A line ending in spaces   \n\n--\nYou receive this bulletin from Riverside.\n`,
    html: `<!doctype html><html lang="en"><body>\n<h1>Spring</h1>\n<p>${longLine}</p>\n<hr>\n`,
  };
  const own = (n: number) => ({
    text: `To stop receiving bulletins, unsubscribe: http://riverside.localhost/bulletins/unsubscribe/${'t'.repeat(32)}${n}\n`,
    html: `<p>Unsubscribe: <a href="http://riverside.localhost/bulletins/unsubscribe/${'t'.repeat(32)}${n}">Unsubscribe</a></p>\n<img src="http://riverside.localhost/o/${n}" alt="">\n</body></html>`,
    headers: { 'List-Unsubscribe': `<http://riverside.localhost/bulletins/unsubscribe/${n}/one-click>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  });

  it('gives each copy the same part bytes as encoding the whole part, with its own headers', () => {
    const bulk = bulkMessage('Riverside Community Action <hello@riverside.example>', head);
    for (const n of [1, 22]) {
      const raw = bulk.copy(`member${n}@group.example`, own(n))!;
      const parts = partsOf(raw);
      expect(parts.text).toBe(wholePart(head.text + own(n).text));
      expect(parts.html).toBe(wholePart(head.html + own(n).html));
      expect(parts.end).toBe(true);
      expect(parts.headers).toMatch(/^From: "Riverside Community Action" <hello@riverside\.example>$/m);
      expect(parts.headers).toMatch(new RegExp(`^To: member${n}@group\\.example$`, 'm'));
      expect(parts.headers).toMatch(new RegExp(`^List-Unsubscribe: <http://riverside\\.localhost/bulletins/unsubscribe/${n}/one-click>$`, 'm'));
      expect(parts.headers).toMatch(/^Message-ID: <[0-9a-f-]{36}@riverside\.example>$/m);
      // Nothing but 7-bit ASCII goes on the wire; the parts' lines (the long link lines too) are soft-wrapped at 76.
      expect(raw).toMatch(/^[\x20-\x7e\r\n\t]*$/);
      expect([...parts.text.split('\r\n'), ...parts.html.split('\r\n')].every((line) => line.length <= 76)).toBe(true);
      expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    }
    // A subject that is not plain ASCII is encoded, and decodes back to itself.
    const subject = /^Subject: (.*)$/m.exec(partsOf(bulk.copy('a@b.example', own(3))!).headers)![1]!;
    const decoded = subject.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_w, q: string) =>
      Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
    expect(decoded).toBe(head.subject);
  });

  it('leaves an address a header would have to quote or encode to the ordinary composer', () => {
    const bulk = bulkMessage('hello@riverside.example', head);
    expect(bulk.copy('"odd person"@group.example', own(1))).toBeNull();
    expect(bulk.copy('zoë@group.example', own(1))).toBeNull();
    expect(partsOf(bulk.copy('plain@group.example', own(1))!).headers).toMatch(/^From: hello@riverside\.example$/m);
  });

  it('keeps a line break in the subject from starting a header of its own', () => {
    const bulk = bulkMessage('hello@riverside.example', { ...head, subject: 'Spring news\r\nBcc: everyone@elsewhere.example\r\n\r\nInjected' });
    const { headers, text } = partsOf(bulk.copy('plain@group.example', own(1))!);
    expect(headers).not.toMatch(/^Bcc:/m);
    expect(headers).toMatch(/^Subject: Spring news Bcc: everyone@elsewhere\.example Injected$/m);
    expect(text).toContain('Hello everyone.');
  });

  it('writes each copy’s own headers byte for byte, last before the body', () => {
    const raw = bulkMessage('hello@riverside.example', head).copy('plain@group.example', own(4))!;
    expect(raw).toContain('\r\nMIME-Version: 1.0\r\nList-Unsubscribe: <http://riverside.localhost/bulletins/unsubscribe/4/one-click>\r\n'
      + 'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n--');
  });

  it('keeps a line break or control character in a header’s value from starting a header of its own, and refuses a name that is not one', () => {
    const bulk = bulkMessage('hello@riverside.example', head);
    const injected = { ...own(1), headers: { 'List-Unsubscribe': '<http://riverside.localhost/u/1>\r\nBcc: everyone@elsewhere.example\r\n\r\nInjected\u0000\u000b' } };
    const { headers, text } = partsOf(bulk.copy('plain@group.example', injected)!);
    expect(headers).not.toMatch(/^Bcc:/m);
    expect(headers).toMatch(/^List-Unsubscribe: <http:\/\/riverside\.localhost\/u\/1> Bcc: everyone@elsewhere\.example Injected$/m);
    expect(text).toContain('Hello everyone.');
    for (const name of ['Bcc: x@elsewhere.example\r\nList-Unsubscribe', 'X Header', '']) {
      expect(() => bulk.copy('plain@group.example', { ...own(1), headers: { [name]: 'x' } }), name).toThrow(/not a header name/);
    }
    expect(safeHeaders({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' })).toEqual({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
  });

  it('refuses heads that do not end a line, since the per-copy tails could not be encoded apart', () => {
    expect(() => bulkMessage('hello@riverside.example', { ...head, text: 'no line break' })).toThrow();
  });
});
