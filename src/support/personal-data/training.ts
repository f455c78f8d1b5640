import { addCounts, dateTimeText, type PersonalDataPart } from '../../platform/personal-data.js';
import { ACCESS_NEEDS_DAYS, FEEDBACK_COMMENT_YEARS, LINK_YEARS, trainingDataRepository as repo } from './training-repository.js';

const STATUS: Record<string, string> = { booked: 'Booked', waiting: 'On the waiting list', cancelled: 'Cancelled' };

/** Training and events: the person's places on courses (and waiting-list places), their attendance and their feedback. */
export const trainingPersonalData: PersonalDataPart = {
  tables: ['courses', 'course_bookings', 'course_feedback'],

  async describe({ tx }, identity) {
    const bookings = await repo.bookingsOf(tx, identity.recordIds);
    const made = await repo.madeBy(tx, identity.userIds);
    const setUp = made.courses_set_up_by_them.length === 0 ? [] : [{
      heading: 'Courses they set up', permission: 'training.manage' as const,
      records: made.courses_set_up_by_them.map((c) => ({ title: c.title, fields: [{ label: 'Set up', value: dateTimeText(c.created_at) }] })),
    }];
    if (bookings.length === 0) return setUp;
    return [...setUp, {
      heading: 'Course bookings',
      records: bookings.map((b) => ({
        title: `${b.title}, ${dateTimeText(b.starts_at)}`,
        fields: [
          { label: 'Booking', value: STATUS[b.status] ?? b.status },
          { label: 'Organisation', value: b.organisation_name ?? '' },
          { label: 'Attendance', value: b.attended === true ? 'Attended' : b.attended === false ? 'Did not attend' : '' },
          { label: 'Access needs', value: b.access_needs ?? '' },
          { label: 'Certificate number', value: b.certificate_number ?? '' },
          { label: 'Feedback', value: b.rating ? [`Rated ${b.rating} out of 5`, b.most_useful, b.improve].filter(Boolean).join('. ') : '' },
        ].filter((f) => f.value !== ''),
      })),
    }];
  },

  async export({ tx }, identity) {
    return { ...(await repo.rowsOf(tx, identity.recordIds)), ...(await repo.madeBy(tx, identity.userIds)) };
  },

  erasure: 'Course places still to come are cancelled; past bookings stay with their attendance, so the numbers trained stay true, without access needs, links or feedback comments. Courses they set up and places they booked for others stay, no longer naming their account.',

  async erase({ tx, now }, identity) {
    return { removed: {}, anonymised: addCounts(await repo.erase(tx, identity.recordIds, now), await repo.forgetAccounts(tx, identity.userIds)) };
  },

  async merge({ tx, now }, { kept, merged }) {
    return repo.merge(tx, merged.personId, kept.personId, now);
  },

  retention: {
    rule: `Access needs given when booking a course are emptied ${ACCESS_NEEDS_DAYS} days after the session; the links in booking e-mails stop working ${LINK_YEARS === 1 ? 'a year' : `${LINK_YEARS} years`} after it; feedback comments are emptied after ${FEEDBACK_COMMENT_YEARS} years (ratings and attendance stay in the figures).`,
    async apply({ tx, now }) {
      return repo.applyRetention(tx, now);
    },
  },
};
