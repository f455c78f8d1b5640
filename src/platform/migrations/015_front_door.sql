-- The LIO's front door: its own words on the public home page, set by an admin (/admin/front-door).
-- Plain text, paragraphs split at blank lines when shown; empty until written.
alter table lios
  add column welcome_text text not null default '' check (length(welcome_text) <= 600),
  add column about_text text not null default '' check (length(about_text) <= 3000);
grant update (welcome_text, about_text) on lios to {{app_role}};
