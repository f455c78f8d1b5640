import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { can } from '../../platform/auth/policy.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { actorOf, publicReads, seesSharedPages } from '../../platform/http/request-context.js';
import type { Reads } from '../../platform/db/index.js';
import type { PublishedCache } from '../published/cache.js';
import { localNow } from './opening.js';
import { DEFAULT_DISTANCE, DEFAULT_UNIT, DELIVERY_MODE_LABELS, DISTANCES, PAGE_SIZE, UNITS, readSearch } from './form.js';
import type { SearchPage } from './present.js';
import { PublicDirectory } from './service.js';
import { SignpostingLists, normaliseShareCode } from './signposting/service.js';

const LIST_COOKIE = 'cg_list';
const LIST_COOKIE_DAYS = 90;

/**
 * The public directory at /find (no sign-in; each LIO's own by hostname) and signposting lists at
 * /find/list. Thin: the work is in PublicDirectory and SignpostingLists.
 */
export async function registerPublicDirectoryRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue; published: PublishedCache }) {
  const directory = new PublicDirectory(deps);
  const lists = new SignpostingLists({ ...deps, directory });
  const formLimit = { max: 60, timeWindow: '1 minute' };

  const heldCode = (request: FastifyRequest): string | null => {
    const raw = request.cookies[LIST_COOKIE];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? normaliseShareCode(unsigned.value) : null;
  };
  const holdList = (reply: FastifyReply, code: string) => reply.setCookie(LIST_COOKIE, code, {
    path: '/', httpOnly: true, sameSite: 'lax', signed: true, secure: deps.config.secureCookies, maxAge: LIST_COOKIE_DAYS * 86_400,
  });

  /** Map tiles come from elsewhere: let this page's images load from the tile server, and nothing more. */
  const allowTiles = (reply: FastifyReply) => {
    if (!deps.config.mapTileUrl) return;
    const origin = new URL(deps.config.mapTileUrl.replace(/[{}]/g, '')).origin;
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string') reply.header('content-security-policy', csp.replace(/img-src ([^;]*)/, (_m, sources: string) => `img-src ${sources} ${origin}`));
  };

  /** The key of a page kept for everyone (see PublishedCache), or null when this visitor's page is their own. */
  const sharedKey = async (request: FastifyRequest, reads: Reads, what: string) => {
    if (!seesSharedPages(request) || request.cookies[LIST_COOKIE]) return null;
    // Opening times say "open now": a kept page lasts until the minute turns, at most.
    const now = localNow(deps.clock.now());
    return deps.published.keyFor(request.lio.id, `${what}|${now.date}T${now.time.slice(0, 5)}`, reads);
  };

  /** Renders a page: for this visitor alone, or (with a key) for everyone, kept under the key. */
  const renderPage = (reply: FastifyReply, shared: string | null, template: string, context: Record<string, unknown>, status = 200) => {
    if (!shared) return reply.render(template, context, status);
    const page = reply.renderShared(template, context, status);
    deps.published.keep(shared, page);
    return reply.sendShared(page);
  };

  const renderSearch = async (request: FastifyRequest, reply: FastifyReply, page: SearchPage, shared: string | null) => {
    const code = heldCode(request);
    const inList = shared ? new Set<string>() : await lists.serviceIdsOf(request.lio.id, code);
    const v = page.values;
    const distance = v.distance || String(DEFAULT_DISTANCE);
    const unit = v.unit || DEFAULT_UNIT;
    allowTiles(reply);
    const filtersOpen = Boolean(v.locality || v.modes.length || v.open || v.free || v.age || page.errors.list.some((e) => ['#locality', '#mode', '#age'].includes(e.href)));
    const template = 'directory/public/views/find.njk';
    const context = {
      title: page.searched ? `${page.capped ? 'More than ' : ''}${page.total} services found` : 'Find local services',
      ...page,
      page: v.page,
      errors: page.errors.list,
      offset: (v.page - 1) * PAGE_SIZE,
      pageQuery: page.queryString ? `${page.queryString}&page=` : 'page=',
      returnTo: `/find?${page.queryString ? `${page.queryString}&` : ''}page=${v.page}`,
      categoryItems: page.categories.map((c) => ({ ...c, selected: c.value === v.category })),
      localityItems: [...new Set([...page.localities, ...(v.locality ? [v.locality] : [])])].map((l) => ({ value: l, text: l, selected: l === v.locality })),
      distanceItems: DISTANCES.map((d) => ({ value: String(d), text: String(d), selected: String(d) === distance })),
      unitItems: Object.keys(UNITS).map((u) => ({ value: u, text: u === 'km' ? 'kilometres' : 'miles', selected: u === unit })),
      modeItems: Object.entries(DELIVERY_MODE_LABELS).map(([value, text]) => ({ value, text, checked: v.modes.includes(value) })),
      filtersOpen,
      inList,
      listCode: code,
      listCount: inList.size,
      mapPoints: page.results.some((r) => r.hasPoint),
      mapTileUrl: deps.config.mapTileUrl ?? '',
      mapUnit: unit === 'km' ? 'km' : 'miles',
      radiusM: page.near ? Math.round(Number(distance) * (UNITS[unit as keyof typeof UNITS] ?? 1)) : 0,
    };
    return renderPage(reply, shared, template, context, page.errors.any ? 400 : 200);
  };

  // A search is the same page for every visitor who is not signed in and holds no list, until the directory
  // changes or the minute turns (opening times say "open now"): such pages are made once and kept.
  app.get('/find', async (request, reply) => {
    const reads = publicReads(request, deps.db);
    const shared = await sharedKey(request, reads, `find|${JSON.stringify(readSearch(request.query))}`);
    const kept = shared ? deps.published.get(shared) : undefined;
    if (kept) {
      allowTiles(reply);
      return reply.sendShared(kept);
    }
    return renderSearch(request, reply, await directory.search(request.lio.id, request.query, reads), shared);
  });

  app.get('/find/services/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    // "from" carries the search this page was reached from, for the way back; only its parameters are kept.
    const back = new URLSearchParams(str(request.query, 'from'));
    const backQuery = new URLSearchParams([...back.entries()].filter(([k]) => ['q', 'category', 'postcode', 'distance', 'unit', 'locality', 'mode', 'open', 'free', 'age', 'page'].includes(k))).toString();
    const reads = publicReads(request, deps.db);
    const shared = await sharedKey(request, reads, `service|${id}|${backQuery}`);
    const kept = shared ? deps.published.get(shared) : undefined;
    if (kept) return reply.sendShared(kept);
    const service = await directory.service(request.lio.id, id, reads);
    if (!service) return reply.callNotFound();
    const code = heldCode(request);
    const template = 'directory/public/views/service.njk';
    const context = {
      title: service.name, s: service, backQuery, inList: shared ? new Set<string>() : await lists.serviceIdsOf(request.lio.id, code), listCode: code,
      returnTo: `/find/services/${service.id}${backQuery ? `?from=${encodeURIComponent(backQuery)}` : ''}`,
    };
    return renderPage(reply, shared, template, context);
  });

  // Signposting lists ------------------------------------------------------------------------------

  app.post('/find/list/items', { config: { rateLimit: formLimit } }, async (request, reply) => {
    const result = await lists.add(request.lio.id, request.actor, heldCode(request), str(request.body, 'service'));
    if (!result) return reply.render('web/views/error.njk', { title: 'This service cannot be added', message: 'The service is not in the directory any more. Go back and search again.' }, 404);
    holdList(reply, result.code);
    const returnTo = safeReturn(str(request.body, 'returnTo'));
    return reply.flash(result.added ? `${result.serviceName} is on your list` : `${result.serviceName} was already on your list`)
      .redirect(`${returnTo}#service-${str(request.body, 'service')}`, 303);
  });

  // A resident goes straight to the list they hold; staff see the lists they made (and the one they hold).
  app.get('/find/list', async (request, reply) => {
    const code = heldCode(request);
    if (code && !can(request.actor, 'organisations.read') && (await lists.view(request.lio.id, request.actor, code, code))) return reply.redirect(`/find/list/${code}`, 303);
    return renderListHome(request, reply, {}, []);
  });

  const renderListHome = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: FormErrors['list'], status = 200) => {
    const staff = can(request.actor, 'organisations.read');
    const code = heldCode(request);
    const current = code ? await lists.view(request.lio.id, request.actor, code, code) : undefined;
    return reply.render('directory/public/views/list-home.njk', {
      title: 'Your list of services', staff, current, lists: staff ? await lists.listsOf(request.lio.id, request.actor) : [], values, errors,
    }, status);
  };

  app.get('/find/list/open', async (request, reply) => {
    const entered = str(request.query, 'code');
    const code = normaliseShareCode(entered);
    if (!code) {
      return renderListHome(request, reply, { code: entered }, [{ text: entered ? 'Enter the list code as it was given to you: 12 letters and numbers, like abcd-efgh-jkmn' : 'Enter the list code', href: '#code' }], 400);
    }
    return reply.redirect(`/find/list/${code}`, 303);
  });

  app.post('/find/list/new', { config: { rateLimit: formLimit } }, async (request, reply) => {
    const title = str(request.body, 'title');
    const result = await lists.start(request.lio.id, request.actor, title);
    if (!result.code) return renderListHome(request, reply, { title }, result.errors.list, 400);
    holdList(reply, result.code);
    return reply.flash(title && can(request.actor, 'organisations.read') ? `The list “${title}” was started` : 'A new list was started').redirect(`/find/list/${result.code}`, 303);
  });

  const renderList = async (request: FastifyRequest, reply: FastifyReply, code: string, values: Record<string, string>, errors: FormErrors['list'], status = 200) => {
    const list = await lists.view(request.lio.id, request.actor, heldCode(request), code);
    if (!list) return reply.callNotFound();
    if (list.code !== code) return reply.redirect(`/find/list/${list.code}`, 303);
    return reply.render('directory/public/views/list.njk', {
      title: list.title, list, values, errors, shareUrl: `${publicOrigin(request.lio, request, deps.config.baseUrl)}/find/list/${list.code}`,
    }, status);
  };

  app.get('/find/list/:code', async (request, reply) => renderList(request, reply, (request.params as { code: string }).code, {}, []));

  app.post('/find/list/:code/remove', { config: { rateLimit: formLimit } }, async (request, reply) => {
    const { code } = request.params as { code: string };
    const removed = await lists.remove(request.lio.id, request.actor, heldCode(request), code, str(request.body, 'service'));
    if (!removed) return renderList(request, reply, code, {}, [], 403);
    return reply.flash('The service was taken off the list').redirect(`/find/list/${normaliseShareCode(code)}`, 303);
  });

  app.post('/find/list/:code/email', { config: { rateLimit: { max: 10, timeWindow: '10 minutes' } } }, async (request, reply) => {
    const { code } = request.params as { code: string };
    const email = str(request.body, 'email');
    const c = normaliseShareCode(code);
    if (!c) return reply.callNotFound();
    const link = `${publicOrigin(request.lio, request, deps.config.baseUrl)}/find/list/${c}`;
    const result = await lists.email(request.lio.id, request.lio.name, actorOf(request), c, email, link);
    if (result.errors.any) return renderList(request, reply, c, { email }, result.errors.list, result.limited ? 429 : 400);
    if (!result.sent) return reply.callNotFound();
    return reply.flash(`The list was sent to ${email}`).redirect(`/find/list/${c}`, 303);
  });
}

/** Back to a page of the public directory, never anywhere else. */
export function safeReturn(value: string): string {
  return /^\/find(\/[a-z0-9/-]*)?(\?[^#\\]*)?$/i.test(value) && !value.startsWith('//') ? value : '/find';
}
