-- Delivery mode and status history, kept whatever code path changes a service (staff forms, approved
-- listing edits, imports): a trigger writes one dated row to service_delivery_changes per day on which a
-- service's delivery modes or status change. The classification of a period (Remaking / Rearranging /
-- Reaffirming) is read off these rows.
--
-- The day of a change is, in order: the transaction setting app.delivery_change_on (staff may date a change
-- they are recording late), the new updated_at when the writer set one, else today; all in Europe/London.
-- Several changes on one day keep one row: the day's final state.
-- A service changed for the first time with no history at all (imported, say) first gets a row for its
-- state as it was, dated the day it was created, so that the change itself can be seen.

create index service_delivery_changes_lio_day on service_delivery_changes (lio_id, changed_on);

create function cg_record_service_delivery_change() returns trigger
language plpgsql as $$
declare
  on_day date;
  setting text := nullif(current_setting('app.delivery_change_on', true), '');
begin
  if setting is not null then
    on_day := setting::date;
  elsif new.updated_at is distinct from old.updated_at then
    on_day := (new.updated_at at time zone 'Europe/London')::date;
  else
    on_day := (now() at time zone 'Europe/London')::date;
  end if;
  if not exists (select 1 from service_delivery_changes where service_id = new.id) then
    insert into service_delivery_changes (lio_id, service_id, changed_on, delivery_modes, status, note)
    values (old.lio_id, old.id, least(on_day, (old.created_at at time zone 'Europe/London')::date), old.delivery_modes, old.status, 'State before the first recorded change');
  end if;
  update service_delivery_changes set delivery_modes = new.delivery_modes, status = new.status
    where service_id = new.id and changed_on = on_day;
  if not found then
    insert into service_delivery_changes (lio_id, service_id, changed_on, delivery_modes, status)
    values (new.lio_id, new.id, on_day, new.delivery_modes, new.status);
  end if;
  return null;
end $$;

create trigger services_delivery_history
  after update of delivery_modes, status on services
  for each row
  when (old.delivery_modes is distinct from new.delivery_modes or old.status is distinct from new.status)
  execute function cg_record_service_delivery_change();

-- The shared read model (services/repository.ts loadServices) reads phones and languages of a batch's venues and
-- contacts in one query each; these keep those lookups on an index however large the directory grows.
create index phones_location on phones (location_id) where location_id is not null;
create index phones_contact on phones (contact_id) where contact_id is not null;
create index languages_location on languages (location_id) where location_id is not null;
