import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { JobQueue } from '../platform/jobs.js';
import type { Sessions } from '../platform/http/session.js';
import { FormErrors, checkEmail, list, str } from '../platform/http/forms.js';
import { permitted, signedIn } from '../platform/http/guards.js';
import { publicOrigin } from '../platform/tenancy.js';
import { PERMISSION_SETS, PERMISSION_SET_LABELS, ROLES, ROLE_LABELS } from '../platform/auth/actor.js';
import { AccountsService, type TokenPurpose, INVITE_LINK_DAYS, RESET_LINK_MINUTES } from './service.js';
import { isUuid } from '../platform/validation/ids.js';

const SIGN_IN_ERROR = 'Enter a correct email address and password';
const KNOWN_DEVICES_ONLY = 'There have been too many wrong attempts to sign in to this account. Sign in on a device you have used before, or reset your password to sign in on this one.';
/** Marks this browser as one its account signed in on before (signed, so it cannot be made up): it passes the account's soft limit. */
const DEVICE_COOKIE = 'cg_device';
const DEVICE_COOKIE_DAYS = 365;

/** A password as typed: not trimmed (spaces can be part of it); of a repeated field, the first. */
function passwordField(body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' ? one : '';
}

function safeReturnTo(value: string): string {
  // Only paths on this site: "//evil.example", "/\\evil.example" and absolute URLs are refused, and so is any
  // whitespace, control character or backslash, which browsers drop or read as "/" ("/\t/evil.example" is "//evil.example").
  // eslint-disable-next-line no-control-regex
  return value.length <= 2000 && /^\/(?![/\\])[^\s\\\u0000-\u001f\u007f]*$/.test(value) ? value : '/';
}

export async function registerAccountRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue; sessions: Sessions }) {
  const accounts = new AccountsService(deps);
  const { sessions, config } = deps;
  // Counted by address as the throttle counts it: an IPv6 client may take any address of its /64.
  const rateLimit = { max: config.signInRateLimit, timeWindow: '1 minute' };
  const origin = (request: FastifyRequest) => publicOrigin(request.lio, request, config.baseUrl);

  app.get('/sign-in', async (request, reply) => {
    const returnTo = safeReturnTo(str(request.query, 'returnTo'));
    if (request.actor) return reply.redirect(returnTo, 303);
    return reply.render('accounts/views/sign-in.njk', { title: 'Sign in', values: {}, returnTo });
  });

  app.post('/sign-in', { config: { rateLimit } }, async (request, reply) => {
    const email = str(request.body, 'email');
    const password = passwordField(request.body, 'password');
    const returnTo = safeReturnTo(str(request.body, 'returnTo'));
    const errors = new FormErrors();
    checkEmail(errors, 'email', email);
    if (!password) errors.add('password', 'Enter your password');
    if (!errors.any) {
      const device = request.cookies[DEVICE_COOKIE] ? request.unsignCookie(request.cookies[DEVICE_COOKIE]) : null;
      const result = await accounts.signIn(request.lio.id, email, password, { address: request.ip, knownDeviceOf: device?.valid ? device.value : null });
      if (result.ok) {
        await sessions.start(request, reply, result.userId);
        reply.setCookie(DEVICE_COOKIE, result.userId, {
          path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies, signed: true, maxAge: DEVICE_COOKIE_DAYS * 86_400,
        });
        return reply.redirect(returnTo, 303);
      }
      if (result.throttled) {
        if (result.throttled.state === 'known_devices_only') errors.add('email', KNOWN_DEVICES_ONLY);
        else {
          const seconds = Math.max(1, Math.ceil((result.throttled.until.getTime() - deps.clock.now().getTime()) / 1000));
          const minutes = Math.ceil(seconds / 60);
          reply.header('retry-after', String(seconds));
          errors.add('email', `Too many attempts to sign in. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, then try again, or reset your password.`);
        }
        return reply.render('accounts/views/sign-in.njk', { title: 'Sign in', errors: errors.list, values: { email }, returnTo }, 429);
      }
      errors.add('email', SIGN_IN_ERROR);
    }
    return reply.render('accounts/views/sign-in.njk', { title: 'Sign in', errors: errors.list, values: { email }, returnTo }, 400);
  });

  app.post('/sign-out', async (request, reply) => {
    if (request.actor) await accounts.signedOut(request.actor);
    await sessions.end(request, reply);
    return reply.flash('You have signed out').redirect('/sign-in', 303);
  });

  app.get('/forgot-password', async (_request, reply) => reply.render('accounts/views/forgot-password.njk', { title: 'Reset your password', values: {} }));

  app.post('/forgot-password', { config: { rateLimit } }, async (request, reply) => {
    const email = str(request.body, 'email');
    const errors = new FormErrors();
    checkEmail(errors, 'email', email);
    if (errors.any) return reply.render('accounts/views/forgot-password.njk', { title: 'Reset your password', errors: errors.list, values: { email } }, 400);
    await accounts.requestPasswordReset(request.lio.id, request.lio.name, email, origin(request));
    return reply.render('accounts/views/check-email.njk', { title: 'Check your email', minutes: RESET_LINK_MINUTES });
  });

  const tokenPages: { path: string; purpose: TokenPurpose; title: string; done: string }[] = [
    { path: '/reset-password/:token', purpose: 'password_reset', title: 'Choose a new password', done: 'Your password has been changed. Sign in with your new password.' },
    { path: '/accept-invite/:token', purpose: 'invite', title: 'Set up your account', done: 'Your account is ready. Sign in with your new password.' },
  ];
  for (const page of tokenPages) {
    const renderProblem = (reply: FastifyReply, state: string) => reply.render('accounts/views/link-problem.njk', {
      title: state === 'expired' ? 'This link has expired' : state === 'used' ? 'This link has already been used' : 'This link is not valid',
      state, purpose: page.purpose, inviteDays: INVITE_LINK_DAYS,
    }, state === 'unknown' ? 404 : 410);

    app.get(page.path, async (request, reply) => {
      const { token } = request.params as { token: string };
      const check = await accounts.checkToken(request.lio.id, token, page.purpose);
      if (check.state !== 'valid') return renderProblem(reply, check.state);
      return reply.render('accounts/views/set-password.njk', { title: page.title, email: check.email, purpose: page.purpose });
    });

    app.post(page.path, { config: { rateLimit } }, async (request, reply) => {
      const { token } = request.params as { token: string };
      const result = await accounts.completeToken(request.lio.id, token, page.purpose, passwordField(request.body, 'password'), passwordField(request.body, 'confirmPassword'));
      if (result.check.state !== 'valid') return renderProblem(reply, result.check.state);
      if (result.errors.any) {
        return reply.render('accounts/views/set-password.njk', { title: page.title, email: result.check.email, purpose: page.purpose, errors: result.errors.list }, 400);
      }
      return reply.flash(page.done).redirect('/sign-in', 303);
    });
  }

  // User administration
  const roleItems = ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r] }));
  const setItems = PERMISSION_SETS.map((p) => ({ value: p, text: PERMISSION_SET_LABELS[p] }));

  app.get('/admin/users', { preHandler: permitted('users.manage') }, async (request, reply) => {
    const users = await accounts.listUsers(request.actor);
    return reply.render('accounts/views/users.njk', {
      title: 'Users',
      users: users.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role], setLabels: u.permission_sets.map((p) => PERMISSION_SET_LABELS[p]).join(', ') })),
    });
  });

  app.get('/admin/users/invite', { preHandler: permitted('users.manage') }, async (request, reply) => {
    const organisations = await accounts.organisations(request.actor);
    return reply.render('accounts/views/invite.njk', { title: 'Invite a user', values: { permissionSets: [] }, roleItems, setItems, organisations });
  });

  app.post('/admin/users/invite', { preHandler: permitted('users.manage') }, async (request, reply) => {
    const values = {
      email: str(request.body, 'email'), displayName: str(request.body, 'displayName'), role: str(request.body, 'role'),
      permissionSets: list(request.body, 'permissionSets'), organisationId: str(request.body, 'organisationId'),
    };
    const result = await accounts.invite(request.actor, values, origin(request), request.lio.name);
    if (result.errors.any) {
      const organisations = await accounts.organisations(request.actor);
      return reply.render('accounts/views/invite.njk', { title: 'Invite a user', values, errors: result.errors.list, roleItems, setItems, organisations }, 400);
    }
    return reply.flash(`Invitation sent to ${values.email}`).redirect('/admin/users', 303);
  });

  const userPage = async (request: FastifyRequest, reply: FastifyReply, errors?: FormErrors, values?: Record<string, unknown>) => {
    const { id } = request.params as { id: string };
    const user = isUuid(id) ? await accounts.getUser(request.actor, id) : undefined;
    if (!user) return reply.callNotFound();
    const organisations = await accounts.organisations(request.actor);
    return reply.render('accounts/views/user.njk', {
      title: user.display_name, user, roleLabel: ROLE_LABELS[user.role], roleItems, setItems, organisations,
      values: values ?? { role: user.role, permissionSets: user.permission_sets, organisationId: user.organisation_id ?? '' },
      errors: errors?.list,
    }, errors?.any ? 400 : 200);
  };

  app.get('/admin/users/:id', { preHandler: permitted('users.manage') }, async (request, reply) => userPage(request, reply));

  app.post('/admin/users/:id/role', { preHandler: permitted('users.manage') }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const values = { role: str(request.body, 'role'), permissionSets: list(request.body, 'permissionSets'), organisationId: str(request.body, 'organisationId') };
    if (!isUuid(id)) return reply.callNotFound();
    const result = await accounts.changeRole(request.actor, id, values);
    if (!result.found) return reply.callNotFound();
    if (result.errors.any) return userPage(request, reply, result.errors, values);
    return reply.flash('Role updated').redirect(`/admin/users/${id}`, 303);
  });

  for (const [suffix, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/admin/users/:id/${suffix}`, { preHandler: permitted('users.manage') }, async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return reply.callNotFound();
      const outcome = await accounts.setDisabled(request.actor, id, disabled);
      if (outcome === 'not_found') return reply.callNotFound();
      if (outcome === 'self') {
        const errors = new FormErrors();
        errors.add('disable', 'You cannot disable your own account');
        return userPage(request, reply, errors);
      }
      return reply.flash(disabled ? 'Account disabled' : 'Account enabled').redirect(`/admin/users/${id}`, 303);
    });
  }

  app.get('/account', { preHandler: signedIn }, async (request, reply) => reply.render('accounts/views/account.njk', {
    title: 'Your account', roleLabel: ROLE_LABELS[request.actor!.role],
  }));
}
