-- A taxonomy term that is its own parent, which an Open Referral import once let in, could never be deleted (it
-- counted as its own child). Such terms lose the parent; the database now refuses one, whichever way it comes.
update taxonomy_terms set parent_id = null where parent_id = id;
alter table taxonomy_terms add constraint taxonomy_terms_not_own_parent check (parent_id is distinct from id);
