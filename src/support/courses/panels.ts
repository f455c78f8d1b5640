import type { HomePanel } from '../../platform/capability.js';
import { coursesRepository } from './repository.js';
import { bookingsRepository } from '../bookings/repository.js';
import { financialYear } from './figures.js';

/** The trainer's work: this week's sessions, registers to take, people waiting for a place, and who was trained this year. */
export const trainingPanel: HomePanel = {
  id: 'support-training',
  area: 'support',
  permission: 'training.manage',
  order: 30,
  async load({ tx, now }) {
    const counts = await coursesRepository.panelCounts(tx, now);
    const year = financialYear(now);
    const { totals } = await coursesRepository.trained(tx, year);
    const figures = `/support/training/figures?from=${year.from}&to=${year.to}`;
    return {
      title: 'Training and events',
      waiting: [
        { label: 'Sessions this week', count: counts.week, href: '/support/training/sessions?show=this-week' },
        { label: 'Registers not yet taken', count: counts.registers, href: '/support/training/sessions?show=registers' },
        { label: 'People on waiting lists', count: counts.waiting, href: '/support/training/sessions?show=waiting' },
      ],
      figures: [
        { label: 'People trained since 1 April', value: String(totals.people), href: figures },
        { label: 'Organisations trained since 1 April', value: String(totals.organisations), href: figures },
      ],
      actions: [{ text: 'Add a course', href: '/support/training/courses/new' }],
    };
  },
};

/** A group member's places: their organisation's bookings still to come. */
export const groupBookingsPanel: HomePanel = {
  id: 'support-training-bookings',
  area: 'support',
  permission: 'training.book',
  order: 35,
  async load({ tx, actor, now }) {
    if (actor.role !== 'group_member' || !actor.organisationId) return null;
    const count = await bookingsRepository.comingUpFor(tx, actor.organisationId, now);
    return {
      title: 'Training',
      waiting: [{ label: 'Places booked on courses coming up', count, href: '/training/my-bookings' }],
      actions: [{ text: 'Find training and book', href: '/training' }],
    };
  },
};
