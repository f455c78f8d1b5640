import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CapabilityDeps } from '../../platform/capability.js';
import { str, type FieldError } from '../../platform/http/forms.js';
import { LioSetupService } from './service.js';
import type { LioFormValues } from './form.js';

const VIEW = 'accounts/lios/views/new-lio.njk';
const TITLE = 'Add a Local Infrastructure Organisation';

/**
 * The deployment operator's page for adding an LIO. It belongs to no LIO and needs no sign-in: the operator key is
 * the permission, asked for with each addition. Without OPERATOR_KEY in the configuration the page is not there.
 */
export async function registerLioRoutes(app: FastifyInstance, deps: CapabilityDeps) {
  const lios = new LioSetupService(deps);
  // As for signing in: a key is guessed at the pace of sign-in attempts at most.
  const rateLimit = { max: deps.config.signInRateLimit, timeWindow: '1 minute' };
  const form = (reply: FastifyReply, values: LioFormValues, errors?: FieldError[]) =>
    reply.render(VIEW, { title: TITLE, values, ...(errors ? { errors } : {}) }, errors ? 400 : 200);

  app.get('/operator/lios/new', async (_request, reply) => {
    if (!lios.operatorPageOpen) return reply.callNotFound();
    return form(reply, { slug: '', name: '', hostnames: '', adminName: '', adminEmail: '' });
  });

  app.post('/operator/lios', { config: { rateLimit } }, async (request, reply) => {
    if (!lios.operatorPageOpen) return reply.callNotFound();
    const values: LioFormValues = {
      slug: str(request.body, 'slug'), name: str(request.body, 'name'), hostnames: str(request.body, 'hostnames'),
      adminName: str(request.body, 'adminName'), adminEmail: str(request.body, 'adminEmail'),
    };
    const { errors, added } = await lios.add({ via: 'operator key', key: str(request.body, 'operatorKey') }, values);
    if (!added) return form(reply, values, errors.list);
    // A host name of the new LIO may have been looked up before (and answered with the default LIO): look again.
    app.lios.forget();
    return reply.render('accounts/lios/views/lio-added.njk', { title: `${added.lio.name} is added`, added });
  });
}
