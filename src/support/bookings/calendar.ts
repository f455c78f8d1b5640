import ical, { ICalEventStatus } from 'ical-generator';

export interface CalendarSession {
  id: string; course_id: string; title: string; summary: string; starts_at: Date; ends_at: Date; venue: string | null; online_url: string | null; session_status: string;
}

/**
 * An iCalendar file of sessions (one session's, or a person's booked places). Times go as UTC instants, so any
 * calendar shows them at the right hour whatever its own zone. The event's UID is the session's, so downloading the
 * file again updates the entry instead of adding a second one.
 */
export function sessionsCalendar(name: string, sessions: CalendarSession[], origin: string, host: string): string {
  const calendar = ical({ name, prodId: { company: 'Common Ground', product: 'Training and events', language: 'EN' } });
  for (const s of sessions) {
    calendar.createEvent({
      id: `session-${s.id}@${host}`,
      start: s.starts_at,
      end: s.ends_at,
      summary: s.title,
      description: [s.summary, s.online_url ? `Join online: ${s.online_url}` : ''].filter(Boolean).join('\n\n'),
      location: s.venue ?? s.online_url ?? null,
      url: `${origin}/training/courses/${s.course_id}`,
      status: s.session_status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
