-- Registering as a volunteer. The volunteer record is made as soon as the form is sent (so a coordinator can see and
-- call someone who never opens their e-mail), and stays unconfirmed until the e-mailed link proves the address is
-- theirs. Only the hash of the link's secret is kept, so a copy of the database cannot confirm anyone.
alter table volunteers add column email_confirmed_at timestamptz;
alter table volunteers add column confirm_token_hash text check (length(confirm_token_hash) <= 100);
alter table volunteers add constraint volunteers_confirm_token unique (lio_id, confirm_token_hash);

-- Everyone already held was registered by staff or imported: their address is as good as the LIO's records.
update volunteers set email_confirmed_at = created_at;

-- The youngest age the LIO takes volunteers at; under 18 also needs a parent's or guardian's consent.
alter table volunteering_settings add column minimum_age integer not null default 14 check (minimum_age between 10 and 25);
