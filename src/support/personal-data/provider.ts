import { personalDataOfParts } from '../../platform/personal-data.js';
// Training and events
import { trainingPersonalData } from './training.js';
// Figures, spend and leverage.
import { spendPersonalData } from './spend.js';
// Bulletins and membership
import { bulletinsPersonalData } from './bulletins.js';
// Casework
import { caseworkPersonalData } from './casework.js';
// Funding
import { fundingPersonalData } from './funding.js';

/**
 * What support for groups holds about a person: cases they asked for or worked, course bookings and feedback, and
 * bulletins sent to them. Each feature answers for its own tables.
 */
export const supportPersonalData = personalDataOfParts('support', 'Support for groups', [
  // Casework
  caseworkPersonalData,

  // Funding
  fundingPersonalData,

  // Figures, spend and leverage
  spendPersonalData,

  // Training and events
  trainingPersonalData,
  // Bulletins and membership
  bulletinsPersonalData,
]);
