-- Bulletins and membership: who is sending a bulletin now. The sender holds a lease on the bulletin (a random id and a
-- heartbeat it renews with every message it claims); a sender whose heartbeat has stopped (its process was killed) is
-- replaced by the next, which first marks the rows the dead one had claimed but not confirmed as 'unknown', so no one
-- is sent a second copy. Columns on a table 026 made: its row-level security and grants already cover them.
alter table bulletins
  add column sender_lease uuid,
  add column sender_heartbeat_at timestamptz;
create index bulletins_sending on bulletins (lio_id, sender_heartbeat_at) where status = 'sending';
