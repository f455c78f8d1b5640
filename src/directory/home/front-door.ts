import type { FrontDoorSection } from '../../platform/capability.js';

/** The directory's place on the public home page: the same search as /find, with its parameter names. */
export const findHelpSection: FrontDoorSection = {
  id: 'find-help',
  title: 'Find help and services',
  order: 10,
  description: 'Search the local groups, charities and services we list: food, money and debt advice, mental health, loneliness, getting about and more.',
  search: {
    action: '/find',
    fields: [
      { name: 'q', label: 'What are you looking for?', hint: 'For example, food bank, debt advice or lunch club' },
      { name: 'postcode', label: 'Postcode', hint: 'To see the nearest first', autocomplete: 'postal-code', width: 'postcode' },
    ],
    button: 'Search',
  },
  links: [{ text: 'Browse every service', href: '/find' }],
};
