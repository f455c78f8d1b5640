-- Queuing a bulletin writes a row per recipient (20,000 for a large LIO) in one statement; each row costs its index
-- entries and its foreign-key checks, so two that do no work are dropped:
-- * A queued row has no unsubscribe token yet (the sender gives it one when it claims the row), so the token hash is
--   null until then and the unique index leaves nulls out (it held a random placeholder per row before).
-- * The key to lios is implied by the key to the bulletin, which pairs lio_id with the bulletin's own (a LIO's
--   bulletins and their recipients go with it through that key's cascade).
alter table bulletin_recipients alter column unsubscribe_token_hash drop not null;
update bulletin_recipients set unsubscribe_token_hash = null where status = 'queued' and unsubscribe_token_hash like 'unsent-%';
drop index bulletin_recipients_unsubscribe;
create unique index bulletin_recipients_unsubscribe on bulletin_recipients (lio_id, unsubscribe_token_hash) where unsubscribe_token_hash is not null;
alter table bulletin_recipients drop constraint bulletin_recipients_lio_id_fkey;
