-- Training and events: what booking, feedback and certificates need beyond migration 026.

-- What the attendee told us they need to take part (step-free access, a hearing loop, large print). Personal data:
-- shown to trainers only, emptied on erasure and by the retention rule.
alter table course_bookings add column access_needs text check (length(access_needs) <= 1000);
-- The feedback link is its own random secret (a keyed hash kept here), sent once after the session: the booking's
-- manage link may have been e-mailed to someone else, and the feedback e-mail is sent by a job that never saw it.
alter table course_bookings add column feedback_token_hash text check (length(feedback_token_hash) <= 128);
alter table course_bookings add column feedback_requested_at timestamptz;
create unique index course_bookings_feedback_token on course_bookings (lio_id, feedback_token_hash) where feedback_token_hash is not null;
-- A certificate number is printed on the certificate and quoted back by funders: one per LIO.
create unique index course_bookings_certificate_number on course_bookings (lio_id, certificate_number) where certificate_number is not null;
-- The reminder job asks for booked places of sessions starting soon, not yet reminded.
create index course_bookings_to_remind on course_bookings (lio_id, session_id) where status = 'booked' and reminder_sent_at is null;
