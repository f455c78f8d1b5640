import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { bulletinsRepository as repo } from './repository.js';

/** Advisers: bulletins drafted and not yet sent, and those being sent now. */
export const bulletinsPanel: HomePanel = {
  id: 'support-bulletins',
  area: 'support',
  permission: 'bulletins.send',
  order: 80,
  async load({ tx }) {
    const n = await repo.panelCounts(tx);
    return {
      title: 'Bulletins',
      waiting: [
        { label: plural(n.drafts, 'bulletin drafted, not yet sent', 'bulletins drafted, not yet sent'), count: n.drafts, href: '/support/bulletins' },
        { label: plural(n.sending, 'bulletin being sent', 'bulletins being sent'), count: n.sending, href: '/support/bulletins' },
      ],
      actions: [{ text: 'Write a bulletin', href: '/support/bulletins/new' }],
    };
  },
};
