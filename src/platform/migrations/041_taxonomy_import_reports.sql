-- A taxonomy imported on its admin page or from the command line keeps its report beside the other imports', so that
-- a refused taxonomy (not JSON, too large, terms with problems) is recorded and listed on /admin/imports like any
-- other refused source, with the problems that refused it.
alter table directory_imports drop constraint directory_imports_kind_check;
alter table directory_imports add constraint directory_imports_kind_check check (kind in ('oruk', 'hsds_csv', 'organisations_csv', 'services_csv', 'taxonomy'));
