import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { actorOf } from '../../platform/http/request-context.js';
import { ServicesService } from './service.js';
import { DAYS, STATUSES, blankValues, withBlankRows, type ServiceFormValues } from './form.js';
import { DELIVERY_MODES, modesText } from './delivery-modes.js';
import { PAGE_SIZE, describeSchedule, statusText } from './present.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';

type Options = Awaited<ReturnType<ServicesService['formOptions']>>;

export async function registerServiceRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const services = new ServicesService(deps);
  const read = { preHandler: permitted('organisations.read') };
  const write = { preHandler: permitted('services.write') };

  const formContext = (values: ServiceFormValues, options: Options) => ({
    values: withBlankRows(values), options, keptSchedules: options.keptSchedules, statuses: STATUSES, deliveryModes: DELIVERY_MODES, days: DAYS,
    selectedTerms: new Set(values.termIds), selectedLocations: new Set(values.locationIds),
  });
  const notFound = (reply: FastifyReply) => reply.render('web/views/404.njk', { title: 'Page not found' }, 404);

  app.get('/services', read, async (request, reply) => {
    const q = {
      text: str(request.query, 'q'), status: str(request.query, 'status'), organisationId: str(request.query, 'organisation'),
      deliveryMode: str(request.query, 'mode'), termId: str(request.query, 'term'), page: readPageNumber(request.query),
    };
    const result = await services.list(request.actor, request.lio.id, q);
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const params = new URLSearchParams(Object.entries({ q: q.text, status: q.status, organisation: q.organisationId, mode: q.deliveryMode, term: q.termId }).filter(([, v]) => v));
    const pageHref = (page: number) => `/services?${new URLSearchParams([...params, ['page', String(page)]]).toString()}`;
    return reply.render('directory/services/views/list.njk', {
      title: 'Services', ...result, query: q, page: q.page, pages, canWrite: services.canWrite(request.actor),
      statuses: STATUSES, deliveryModes: DELIVERY_MODES, modesText, statusText,
      pagination: paginationOf(q.page, pages, pageHref),
    });
  });

  // Step one of adding a service: which organisation runs it (its venues are offered next).
  app.get('/services/new', write, async (request, reply) => {
    const organisationId = str(request.query, 'organisationId');
    const chosen = Object.hasOwn((request.query ?? {}) as object, 'organisationId');
    const options = await services.formOptions(request.actor, request.lio.id, organisationId || null, null);
    if (!organisationId || !options.organisations.some((o) => o.id === organisationId)) {
      const errors = chosen ? new FormErrors() : null;
      errors?.add('organisationId', organisationId ? 'Choose an organisation from the list' : 'Choose the organisation that runs the service');
      return reply.render('directory/services/views/choose-organisation.njk', {
        title: 'Add a service', organisations: options.organisations, errors: errors?.list,
      }, errors ? 400 : 200);
    }
    return reply.render('directory/services/views/form.njk', {
      title: 'Add a service', action: '/services', isNew: true, ...formContext(blankValues(organisationId), options),
    });
  });

  app.post('/services', write, async (request, reply) => {
    const result = await services.create(request.actor, request.lio.id, actorOf(request), request.body);
    if (!result.id) {
      return reply.render('directory/services/views/form.njk', {
        title: 'Add a service', action: '/services', isNew: true, ...formContext(result.values, result.options!), errors: result.errors.list,
      }, 400);
    }
    return reply.flash(`${result.values.name} added`).redirect(`/services/${result.id}`, 303);
  });

  app.get<{ Params: { id: string } }>('/services/:id', read, async (request, reply) => {
    const found = await services.view(request.actor, request.lio.id, request.params.id);
    if (!found) return notFound(reply);
    return reply.render('directory/services/views/show.njk', {
      title: found.service.name, ...found, canWrite: services.canWrite(request.actor), describeSchedule, modesText, statusText,
    });
  });

  app.get<{ Params: { id: string } }>('/services/:id/edit', write, async (request, reply) => {
    const found = await services.editValues(request.actor, request.lio.id, request.params.id);
    if (!found) return notFound(reply);
    return reply.render('directory/services/views/form.njk', {
      title: `Change ${found.service.name}`, action: `/services/${found.service.id}`, isNew: false, serviceName: found.service.name, ...formContext(found.values, found.options),
    });
  });

  app.post<{ Params: { id: string } }>('/services/:id', write, async (request, reply) => {
    const result = await services.update(request.actor, request.lio.id, actorOf(request), request.params.id, request.body);
    if (!result) return notFound(reply);
    if (result.errors.any) {
      return reply.render('directory/services/views/form.njk', {
        title: `Change ${result.name}`, action: `/services/${request.params.id}`, isNew: false, serviceName: result.name,
        ...formContext(result.values, result.options!), errors: result.errors.list,
      }, 400);
    }
    return reply.flash(`${result.values.name} saved`).redirect(`/services/${request.params.id}`, 303);
  });
}
