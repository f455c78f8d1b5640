import { personalDataOfParts } from '../../platform/personal-data.js';
// Funding
import { fundingPersonalData } from './funding.js';

/**
 * What support for groups holds about a person: cases they asked for or worked, course bookings and feedback, and
 * bulletins sent to them. Each feature answers for its own tables.
 */
export const supportPersonalData = personalDataOfParts('support', 'Support for groups', [
  // Casework

  // Funding
  fundingPersonalData,

  // Training and events

  // Bulletins and membership

]);
