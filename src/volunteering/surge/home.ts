import type { FrontDoorSection, HomePanel } from '../../platform/capability.js';
import { surgeRepository as repo } from './repository.js';

/** On the public home page only while the LIO is in surge mode: the way to the short emergency sign-up form. */
export const surgeFrontDoor: FrontDoorSection = {
  id: 'surge',
  title: 'Volunteer in the emergency',
  order: 5,
  description: 'We need volunteers now. Sign up in two minutes and a coordinator will be in touch.',
  links: [{ text: 'Sign up to help in the emergency', href: '/volunteer/surge' }],
  shownFor: (tx, lioId) => repo.isOn(tx, lioId),
};

/** The coordinators' view of surge mode: new sign-ups waiting to be vetted, shown while surge mode is on or any wait. */
export const surgePanel: HomePanel = {
  id: 'volunteering-surge',
  area: 'volunteering',
  permission: 'surge.work',
  order: 5,
  async load({ tx, lio }) {
    const on = await repo.isOn(tx, lio.id);
    const waiting = Number((await repo.countQueue(tx)).n);
    if (!on && waiting === 0) return null;
    return {
      title: on ? 'Emergency surge mode is on' : 'Emergency sign-ups',
      waiting: [{ label: 'Surge sign-ups to vet', count: waiting, href: '/volunteering/surge/queue' }],
      actions: [{ text: 'Assign volunteers', href: '/volunteering/surge/assign' }, { text: 'Message volunteers', href: '/volunteering/surge/messages' }],
    };
  },
};
