import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { str } from '../../platform/http/forms.js';
import { permitted } from '../../platform/http/guards.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { AVAILABILITY_SLOTS, SKILLS, VOLUNTEER_STATUSES, slotLabel } from '../vocabulary.js';
import { EMPTY_ANSWERS, answersFrom, answersOf, type ProfileAnswers } from './profile-form.js';
import { partSummary, profileItems, statusItems, statusLabel } from './present.js';
import { PAGE_SIZE, STAFF_PARTS, VolunteersService } from './service.js';
import { OWN_PARTS } from './profile-change.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const options = (labels: Record<string, string>, chosen: string, any: string) =>
  [{ value: '', text: any }, ...Object.entries(labels).map(([value, text]) => ({ value, text, selected: value === chosen }))];

/** Coordinators' pages: the list of volunteers, registering one by phone, and a volunteer's record. */
export async function registerVolunteerRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const volunteers = new VolunteersService(deps);
  const formContext = (a: ProfileAnswers, errors?: unknown[]) => ({ title: 'Register a volunteer', a, items: profileItems(a), parts: STAFF_PARTS, errors });

  app.get('/volunteering/volunteers', { preHandler: permitted('volunteers.read') }, async (request, reply) => {
    const query = {
      q: str(request.query, 'q'), status: str(request.query, 'status'), skill: str(request.query, 'skill'), slot: str(request.query, 'slot'),
      reserve: str(request.query, 'reserve') === 'yes', page: readPageNumber(request.query),
    };
    const { filter, total, rows } = await volunteers.list(request.actor, query);
    const kept = Object.fromEntries(Object.entries({ q: filter.q, status: filter.status, skill: filter.skill, slot: filter.slot, reserve: filter.reserve ? 'yes' : '' }).filter(([, v]) => v));
    const link = (n: number) => `/volunteering/volunteers?${new URLSearchParams({ ...kept, page: String(n) })}`;
    return reply.render('volunteering/volunteers/views/list.njk', {
      title: 'Volunteers', filter, total,
      volunteers: rows.map((r) => ({ ...r, statusText: statusLabel(r.status), skillsText: r.skills.map((s) => SKILLS[s] ?? s).join(', '), email: r.emails[0] ?? '' })),
      statuses: options(VOLUNTEER_STATUSES, filter.status, 'Any status'), skills: options(SKILLS, filter.skill, 'Any skill'),
      slots: options(Object.fromEntries(AVAILABILITY_SLOTS.map((s) => [s, slotLabel(s)])), filter.slot, 'Any time'),
      pagination: paginationOf(query.page, Math.ceil(total / PAGE_SIZE), link),
    });
  });

  app.get('/volunteering/volunteers/new', { preHandler: permitted('volunteers.write') }, async (_request, reply) =>
    reply.render('volunteering/volunteers/views/form.njk', formContext({ ...EMPTY_ANSWERS, ways: ['in_person'] })));

  app.post('/volunteering/volunteers', { preHandler: permitted('volunteers.write') }, async (request, reply) => {
    const answers = answersFrom(request.body, STAFF_PARTS);
    const saved = await volunteers.register(request.actor, answers);
    if ('errors' in saved) return reply.render('volunteering/volunteers/views/form.njk', formContext(answers, saved.errors.list), 400);
    return reply.flash('Volunteer registered').redirect(`/volunteering/volunteers/${saved.id}`, 303);
  });

  const recordPage = async (request: FastifyRequest, reply: FastifyReply, errors?: { text: string; href: string }[]) => {
    const record = await volunteers.show(request.actor, idOf(request));
    if (!record) return reply.callNotFound();
    const { volunteer: v } = record;
    const answers = answersOf(v);
    const parts = STAFF_PARTS.filter((p) => p !== 'consent' && (p !== 'guardian' || v.guardian_name));
    return reply.render('volunteering/volunteers/views/show.njk', {
      title: v.full_name ?? 'Volunteer', v, statusText: statusLabel(v.status), statuses: statusItems(v.status),
      profile: parts.flatMap((p) => partSummary(answers, p)),
      notes: record.notes, events: record.events, errors,
    }, errors ? 400 : 200);
  };

  app.get('/volunteering/volunteers/:id', { preHandler: permitted('volunteers.read') }, async (request, reply) => recordPage(request, reply));

  const editContext = (id: string, name: string, email: string, a: ProfileAnswers, errors?: unknown[]) => ({
    title: `Change ${name}’s profile`, id, email, a, items: profileItems(a), parts: OWN_PARTS, errors,
  });

  app.get('/volunteering/volunteers/:id/profile', { preHandler: permitted('volunteers.write') }, async (request, reply) => {
    const record = await volunteers.show(request.actor, idOf(request));
    if (!record) return reply.callNotFound();
    const { volunteer: v } = record;
    return reply.render('volunteering/volunteers/views/edit.njk', editContext(v.id, v.full_name ?? 'the volunteer', v.emails[0] ?? '', answersOf(v)));
  });

  app.post('/volunteering/volunteers/:id/profile', { preHandler: permitted('volunteers.write') }, async (request, reply) => {
    const id = idOf(request);
    const answers = answersFrom(request.body, OWN_PARTS);
    const result = await volunteers.changeProfile(request.actor, id, answers);
    if (!result) return reply.callNotFound();
    if ('errors' in result) {
      return reply.render('volunteering/volunteers/views/edit.njk', editContext(id, result.name, result.email, { ...answers, email: result.email }, result.errors.list), 400);
    }
    return reply.flash('Profile saved').redirect(`/volunteering/volunteers/${id}`, 303);
  });

  app.post('/volunteering/volunteers/:id/status', { preHandler: permitted('volunteers.write') }, async (request, reply) => {
    const id = idOf(request);
    const result = await volunteers.changeStatus(request.actor, id, str(request.body, 'status'));
    if ('missing' in result) return reply.callNotFound();
    if ('errors' in result) return recordPage(request, reply, result.errors.list);
    return reply.flash(result.changed ? 'Status changed' : 'The status was already that').redirect(`/volunteering/volunteers/${id}`, 303);
  });

  app.post('/volunteering/volunteers/:id/notes', { preHandler: permitted('volunteers.write') }, async (request, reply) => {
    const id = idOf(request);
    const body = str(request.body, 'note');
    const result = await volunteers.addNote(request.actor, id, body);
    if ('missing' in result) return reply.callNotFound();
    if ('errors' in result) {
      const record = await volunteers.show(request.actor, id);
      if (!record) return reply.callNotFound();
      return reply.render('volunteering/volunteers/views/note-form.njk', { title: 'Add a note', id, name: record.volunteer.full_name, note: body, errors: result.errors.list }, 400);
    }
    return reply.flash('Note added').redirect(`/volunteering/volunteers/${id}#notes`, 303);
  });
}
