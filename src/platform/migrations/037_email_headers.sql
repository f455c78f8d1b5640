-- A queued e-mail's extra headers, sent with it: a funding digest's List-Unsubscribe and List-Unsubscribe-Post
-- (RFC 8058), which carry the recipient's own link, so they are made when the message is queued and kept with it.
-- Null for a message with none (every message queued before this).
alter table email_messages add column headers jsonb;
