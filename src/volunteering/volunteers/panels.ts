import type { HomePanel } from '../../platform/capability.js';
import { volunteersRepository, volunteerRecordsRepository as repo } from './repository.js';
import { completeness } from '../my-volunteering/service.js';
import { statusLabel } from './present.js';
import { plural } from '../../platform/text.js';
import { referralsRepository } from '../referrals/repository.js';
import { hoursRepository } from '../hours/repository.js';

/** Coordinators: new volunteers waiting to be contacted, and the emergency reserve. */
export const volunteersPanel: HomePanel = {
  id: 'volunteers', area: 'volunteering', permission: 'volunteers.read', order: 20,
  async load({ tx }) {
    const counts = await repo.panelCounts(tx);
    return {
      title: 'Volunteers',
      waiting: [
        { label: counts.fresh === 1 ? 'new volunteer to contact' : 'new volunteers to contact', count: counts.fresh, href: '/volunteering/volunteers?status=new' },
        { label: counts.reserve === 1 ? 'volunteer on the emergency reserve' : 'volunteers on the emergency reserve', count: counts.reserve, href: '/volunteering/volunteers?reserve=yes' },
      ],
      actions: [{ text: 'Find a volunteer', href: '/volunteering/volunteers' }, { text: 'Register a volunteer', href: '/volunteering/volunteers/new' }],
    };
  },
};

/** A volunteer: their status, how complete their profile is, their enquiries under way and their hours still to be confirmed. */
export const volunteerProfilePanel: HomePanel = {
  id: 'volunteer-profile', area: 'volunteering', permission: 'volunteering.self', order: 10,
  async load({ tx, actor }) {
    const v = await volunteersRepository.ofUser(tx, actor.id);
    if (!v) {
      return { title: 'Your volunteering', description: 'You are not registered as a volunteer yet.', actions: [{ text: 'Register to volunteer', href: '/volunteer/register' }] };
    }
    const { done, of, missing } = completeness(v);
    const enquiries = await referralsRepository.inProgress(tx, v.id);
    const hours = Number((await hoursRepository.waitingFor(tx, { volunteerId: v.id })).n);
    return {
      title: 'Your volunteering',
      description: `Your status: ${statusLabel(v.status)}. Your profile is ${done} of ${of} parts complete${missing.length ? '. Adding more helps us find volunteering that suits you' : ''}.`,
      waiting: [
        { count: enquiries, label: plural(enquiries, 'enquiry in progress', 'enquiries in progress'), href: '/my-volunteering/enquiries' },
        { count: hours, label: plural(hours, 'entry of your hours waiting to be confirmed', 'entries of your hours waiting to be confirmed'), href: '/my-volunteering/hours' },
      ],
      actions: [{ text: 'See and change your profile', href: '/my-volunteering' }, { text: 'Roles for you', href: '/my-volunteering/roles' }],
    };
  },
};
