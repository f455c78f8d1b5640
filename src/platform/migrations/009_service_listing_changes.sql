-- A group member's proposed change to one of their organisation's services (listing_changes.service_id)
-- belongs to that service: a service deleted while a change waits takes the change with it, rather than
-- leaving staff a change they cannot apply. The index finds the change waiting for a service.
delete from listing_changes c where c.service_id is not null and not exists (select 1 from services s where s.id = c.service_id);
alter table listing_changes add constraint listing_changes_service_fk foreign key (service_id) references services (id) on delete cascade;
create index listing_changes_service on listing_changes (service_id, submitted_at desc) where service_id is not null;
