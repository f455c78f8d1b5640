import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { registerOneStepLink } from '../../platform/http/one-step-links.js';
import { BulletinsService } from './service.js';
import { bulletinValues, valuesOfBulletin, type BulletinValues } from './form.js';
import { composeModel, contentOf, listRows, showModel } from './present.js';

const VIEWS = 'support/bulletins/views';
type Errors = { text: string; href: string }[];
/** A 1×1 transparent GIF: the open-tracking image. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Bulletins: staff compose and send at /support/bulletins; the archive, unsubscribe links and open tracking are public. */
export async function registerBulletinRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const bulletins = new BulletinsService(deps);
  registerComposingRoutes(app, bulletins);
  registerSendingRoutes(app, bulletins);
  registerPublicBulletinRoutes(app, bulletins);
}

/** Writing a bulletin and changing it while it is a draft. */
function registerComposingRoutes(app: FastifyInstance, bulletins: BulletinsService) {
  const renderCompose = async (request: FastifyRequest, reply: FastifyReply, action: string, values: BulletinValues, errors?: Errors) => {
    const candidates = await bulletins.candidates(request.actor);
    return reply.render(`${VIEWS}/compose.njk`, {
      title: action === '/support/bulletins' ? 'Write a bulletin' : 'Change the bulletin', action, values, errors, ...composeModel(values, candidates),
    }, errors ? 400 : 200);
  };

  app.get('/support/bulletins', { preHandler: permitted('bulletins.send') }, async (request, reply) =>
    reply.render(`${VIEWS}/list.njk`, { title: 'Bulletins', rows: listRows(await bulletins.list(request.actor)) }));

  app.get('/support/bulletins/new', { preHandler: permitted('bulletins.send') }, async (request, reply) =>
    renderCompose(request, reply, '/support/bulletins', { segment: 'members' }));

  const save = async (request: FastifyRequest, reply: FastifyReply, id: string | null) => {
    const action = id ? `/support/bulletins/${id}` : '/support/bulletins';
    const candidates = await bulletins.candidates(request.actor);
    const values = bulletinValues(request.body, candidates);
    const result = await bulletins.save(request.actor, id, values, candidates);
    if (result.errors.any) return renderCompose(request, reply, action, values, result.errors.list);
    if (result.notDraft) return reply.flash('That bulletin has been sent, so it can no longer be changed').redirect(action, 303);
    return reply.flash('Bulletin saved: check the preview, then send it').redirect(`/support/bulletins/${result.id}`, 303);
  };

  app.post('/support/bulletins', { preHandler: permitted('bulletins.send') }, async (request, reply) => save(request, reply, null));

  app.get('/support/bulletins/:id/edit', { preHandler: permitted('bulletins.send') }, async (request, reply) => {
    const shown = await bulletins.show(request.actor, idOf(request));
    if (!shown) return reply.callNotFound();
    if (!showModel(shown.bulletin, shown.counts, shown.reach).draft) return reply.redirect(`/support/bulletins/${shown.bulletin.id}`, 303);
    return renderCompose(request, reply, `/support/bulletins/${shown.bulletin.id}`, valuesOfBulletin(shown.bulletin));
  });

  app.post('/support/bulletins/:id', { preHandler: permitted('bulletins.send') }, async (request, reply) => {
    const shown = await bulletins.show(request.actor, idOf(request));
    if (!shown) return reply.callNotFound();
    return save(request, reply, shown.bulletin.id);
  });
}

/** The preview of a bulletin and sending it. */
function registerSendingRoutes(app: FastifyInstance, bulletins: BulletinsService) {
  app.get('/support/bulletins/:id', { preHandler: permitted('bulletins.send') }, async (request, reply) => {
    const shown = await bulletins.show(request.actor, idOf(request));
    if (!shown) return reply.callNotFound();
    return reply.render(`${VIEWS}/show.njk`, showModel(shown.bulletin, shown.counts, shown.reach));
  });

  app.post('/support/bulletins/:id/send', { preHandler: permitted('bulletins.send') }, async (request, reply) => {
    const outcome = await bulletins.send(request.actor, idOf(request));
    if (!outcome) return reply.callNotFound();
    const id = idOf(request);
    if (outcome.kind === 'empty') {
      const shown = (await bulletins.show(request.actor, id))!;
      return reply.render(`${VIEWS}/show.njk`, {
        ...showModel(shown.bulletin, shown.counts, shown.reach),
        errors: [{ text: 'No one in this segment can be written to, so nothing was sent: choose another segment', href: '#facts' }],
      }, 400);
    }
    if (outcome.kind === 'not_draft') return reply.flash('That bulletin was already sent').redirect(`/support/bulletins/${id}`, 303);
    return reply.flash(`Bulletin queued to ${outcome.recipients.toLocaleString('en-GB')} ${outcome.recipients === 1 ? 'address' : 'addresses'}: it is being sent now`)
      .redirect(`/support/bulletins/${id}`, 303);
  });
}

function registerPublicBulletinRoutes(app: FastifyInstance, bulletins: BulletinsService) {
  app.get('/bulletins', async (request, reply) => {
    const rows = await bulletins.archive(request.lio.id);
    return reply.render(`${VIEWS}/archive.njk`, { title: 'Bulletins', rows: rows.map((r) => ({ id: r.id, subject: r.subject, sentAt: r.sent_at })) });
  });

  app.get('/bulletins/:id', async (request, reply) => {
    const b = await bulletins.archived(request.lio.id, idOf(request));
    if (!b) return reply.callNotFound();
    return reply.render(`${VIEWS}/archived.njk`, { title: b.subject, sentAt: b.sent_at, content: contentOf(b) });
  });

  registerOneStepLink(app, {
    path: '/bulletins/unsubscribe/:token',
    find: (lioId, token) => bulletins.unsubscribeLink(lioId, token),
    act: (lioId, token) => bulletins.unsubscribe(lioId, token),
    pages: {
      ask: (link) => ({ template: `${VIEWS}/unsubscribe.njk`, context: { title: 'Unsubscribe from bulletins', subject: link.subject, already: link.already } }),
      outcome: (outcome) => ({
        template: `${VIEWS}/unsubscribed.njk`,
        context: outcome === 'done'
          ? { title: 'You are unsubscribed', message: 'We will not send bulletins to this address again.' }
          : { title: 'You are already unsubscribed', message: 'We had already taken this address off: we will not send it any more bulletins.' },
      }),
      unknown: { template: `${VIEWS}/unknown-link.njk`, context: { title: 'We do not recognise this unsubscribe link' } },
    },
    oneClickAnswers: { done: 'Unsubscribed', already: 'Already unsubscribed', unknown: 'Unknown unsubscribe link' },
  });

  // The open-tracking image: no cookies are read or set, and it is answered the same whether or not it counted.
  app.get('/bulletins/opened/:recipient/:proof', async (request, reply) => {
    const { recipient, proof } = request.params as { recipient: string; proof: string };
    await bulletins.opened(request.lio.id, recipient, proof);
    return reply.type('image/gif').header('cache-control', 'no-store, private').send(PIXEL);
  });
}
