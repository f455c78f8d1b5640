import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type OneStepOutcome = 'done' | 'already';
type Page = { template: string; context: Record<string, unknown> };

/**
 * A per-recipient link in an e-mail that does one thing (stops some e-mails) without signing in: the token in its
 * address is the proof. Its GET is a page that asks; the page's form POSTs back to the same address to do it.
 */
export interface OneStepLink<Found> {
  /** The link's address, ending in the `:token` part. */
  path: string;
  /** What the asking page needs to know of the link; undefined for a link we did not make (or whose record is gone). */
  find(lioId: string, token: string): Promise<Found | undefined>;
  /** Does the step: 'already' when the link was used before; undefined for a link we did not make. */
  act(lioId: string, token: string): Promise<OneStepOutcome | undefined>;
  /** The asking page (its form posts to `token`), the page after the step, and the 404 page of an unknown link. */
  pages: { ask(found: Found): Page; outcome(outcome: OneStepOutcome): Page; unknown: Page };
  /** The few plain words that answer a mail provider's one-click POST. */
  oneClickAnswers: Record<OneStepOutcome | 'unknown', string>;
}

const ONE_CLICK = '/one-click';

/** The address a mail client's unsubscribe button POSTs to (RFC 8058), for the link at `link`. */
export const oneClickAddress = (link: string): string => `${link}${ONE_CLICK}`;

/** The headers that give a message a mail client's unsubscribe button, POSTing to the one-click address of `link`. */
export const listUnsubscribeHeaders = (link: string): Record<string, string> =>
  ({ 'List-Unsubscribe': `<${oneClickAddress(link)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

const tokenOf = (request: FastifyRequest) => (request.params as { token: string }).token;

/**
 * The link's routes: the asking page, its form's POST, and the one-click POST at `<link>/one-click`. Every page says
 * no-referrer, so the token in its address goes to no other site.
 */
export function registerOneStepLink<Found>(app: FastifyInstance, link: OneStepLink<Found>): void {
  const show = (reply: FastifyReply, page: Page, status = 200) => reply.header('referrer-policy', 'no-referrer').render(page.template, page.context, status);

  app.get(link.path, async (request, reply) => {
    const found = await link.find(request.lio.id, tokenOf(request));
    if (!found) return show(reply, link.pages.unknown, 404);
    const page = link.pages.ask(found);
    return show(reply, { template: page.template, context: { ...page.context, token: tokenOf(request) } });
  });

  // The page's form: the global CSRF check applies, as on every form.
  app.post(link.path, async (request, reply) => {
    const outcome = await link.act(request.lio.id, tokenOf(request));
    return outcome ? show(reply, link.pages.outcome(outcome)) : show(reply, link.pages.unknown, 404);
  });

  void app.register(async (oneClick) => registerOneClick(oneClick, link));
}

/**
 * RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click` with no cookies, no page and no CSRF token. It is told
 * apart from the page's form by its own address, fixed by us in the header we send, not by what the request carries:
 * were the CSRF check skipped for a body that says `List-Unsubscribe=One-Click` (or lacks `_csrf`), any request could
 * opt out of it by what it sends. The check is off for this route alone, and safely: the signed per-recipient token in
 * the address is the proof, which a page on another site cannot know; the route answers a few words of text, never a
 * page or a form; and its one step, stopping e-mails, is the same whoever asks.
 */
function registerOneClick<Found>(scope: FastifyInstance, link: OneStepLink<Found>): void {
  // The body says nothing the step needs, and the RFC would have it sent as multipart/form-data, which the app parses
  // only for uploads: here any body, small, is read and set aside, so the button works whichever way it is sent.
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) => done(null, {}));
  scope.post(oneClickAddress(link.path), { config: { csrf: false } }, async (request, reply) => {
    const outcome = await link.act(request.lio.id, tokenOf(request));
    return reply.code(outcome ? 200 : 404).type('text/plain; charset=utf-8').send(link.oneClickAnswers[outcome ?? 'unknown']);
  });
}
