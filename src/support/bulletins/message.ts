import type { BulletinItem } from '../../platform/db/support-schema.js';
import { bulkMessage, type OutgoingEmail } from '../../platform/mail.js';
import { keyedHash, LINK_PURPOSES } from '../../platform/signed-links.js';
import { listUnsubscribeHeaders } from '../../platform/http/one-step-links.js';

/** The keyed hash of an unsubscribe link's random token, as stored: a copy of the table cannot be turned back into working links. */
export const unsubscribeHash = (secret: string, token: string): string => keyedHash(secret, LINK_PURPOSES.bulletinUnsubscribe, token);

/** The open-tracking image's proof that the address was made by us for this recipient: a keyed hash, so nothing extra is stored. */
export const openProof = (secret: string, recipientId: string): string =>
  keyedHash(secret, LINK_PURPOSES.bulletinOpened, recipientId, 'base64url').slice(0, 22);

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface BulletinContent { subject: string; introduction: string; items: BulletinItem[] }

/**
 * A bulletin's body made once for every recipient, its MIME too (sent from `from`): only each recipient's closing lines
 * (their unsubscribe link and open-tracking image) differ.
 */
export function bulletinBody(b: BulletinContent, lioName: string, from: string) {
  const textItems = b.items.map((i) => [`## ${i.title}`, i.body, i.url ?? ''].filter(Boolean).join('\n')).join('\n\n');
  const htmlItems = b.items.map((i) => `<h2>${escape(i.title)}</h2>\n<p>${escape(i.body)}</p>${i.url ? `\n<p><a href="${escape(i.url)}">${escape(i.url)}</a></p>` : ''}`).join('\n');
  const paragraphs = (s: string) => s.split(/\n{2,}/).map((p) => `<p>${escape(p).replace(/\n/g, '<br>')}</p>`).join('\n');
  const footer = `You receive this bulletin from ${lioName}.`;
  const text = `${`${b.introduction}\n\n${textItems}`.trim()}\n\n--\n${footer}\n`;
  const html = `<!doctype html><html lang="en"><body>\n<h1>${escape(b.subject)}</h1>\n${paragraphs(b.introduction)}\n${htmlItems}\n<hr>\n`;
  return { subject: b.subject, text, html, footer, mime: bulkMessage(from, { subject: b.subject, text, html }) };
}

/** One recipient's message: the body with their own unsubscribe link (and its headers) and their open-tracking image. */
export function bulletinMessage(body: ReturnType<typeof bulletinBody>, to: string, links: { unsubscribe: string; opened: string }): OutgoingEmail {
  const own = {
    text: `To stop receiving bulletins, unsubscribe: ${links.unsubscribe}\n`,
    html: `<p>${escape(body.footer)} <a href="${escape(links.unsubscribe)}">Unsubscribe</a></p>\n<img src="${escape(links.opened)}" alt="" width="1" height="1">\n</body></html>`,
    headers: listUnsubscribeHeaders(links.unsubscribe),
  };
  const mime = body.mime.copy(to, own);
  return { to, subject: body.subject, text: body.text + own.text, html: body.html + own.html, headers: own.headers, ...(mime ? { mime } : {}) };
}
