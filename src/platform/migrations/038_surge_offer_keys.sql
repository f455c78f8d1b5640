-- A surge form whose link found a volunteer already held adds an offer to their history and makes no volunteer, so its
-- one-time key was kept nowhere once the held sign-up was deleted: the same form sent again (a resent request, the back
-- button) was held anew and sent a second confirmation e-mail. The history entry of that offer keeps the form's key, and
-- a surge batch looks for it beside the volunteers' own keys; one entry a form.
alter table volunteer_events add column signup_key text check (length(signup_key) between 1 and 100);
create unique index volunteer_events_signup_key on volunteer_events (lio_id, signup_key) where signup_key is not null;
