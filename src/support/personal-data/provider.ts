import { personalDataOfParts } from '../../platform/personal-data.js';
// Casework
import { caseworkPersonalData } from './casework.js';

/**
 * What support for groups holds about a person: cases they asked for or worked, course bookings and feedback, and
 * bulletins sent to them. Each feature answers for its own tables.
 */
export const supportPersonalData = personalDataOfParts('support', 'Support for groups', [
  // Casework
  caseworkPersonalData,

  // Funding

  // Training and events

  // Bulletins and membership

]);
