-- The organisation register (staff side): search over every name an organisation goes by, the
-- review queue of listings due for verification, and the LIO's own verification period setting.

-- All the names of an organisation, in lower case, for trigram search (ILIKE '%words%' uses the index).
-- array_to_string is only "stable" in general, but for text[] it cannot change, so the wrapper is immutable.
create function cg_organisation_names(name text, other_names text[]) returns text
  language sql immutable parallel safe
  as $$ select lower(name || ' ' || array_to_string(other_names, ' ')) $$;

create index organisations_names_trgm on organisations using gin (cg_organisation_names(name, other_names) gin_trgm_ops);
create index organisations_updated on organisations (lio_id, updated_at desc);
create index organisations_review on organisations (lio_id, last_verified_at nulls first) where merged_into_id is null and status <> 'closed';
create index organisations_merged_into on organisations (merged_into_id) where merged_into_id is not null;
create index listing_changes_org on listing_changes (organisation_id, submitted_at desc);

-- An admin sets how many months a listing stays verified; row-level security keeps it to their own LIO.
grant update (verification_months) on lios to {{app_role}};
