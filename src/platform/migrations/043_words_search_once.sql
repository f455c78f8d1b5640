-- Searches by words (issue 11): the slowest of /find's searches not kept.
--
-- 1. cg_services_matching_text (035) was an SQL function whose words came as a parameter, so the planner could not
--    turn websearch_to_tsquery(terms) into a constant: it parsed the words again for every row it tested and every
--    row it ranked (a common word matches ten thousand services: about half the function's time). The words and the
--    name pattern are now made once, and the query is planned with them as constants (EXECUTE … USING plans it for
--    these values).
-- 2. Words with a category ranked every service the words matched, then kept those in the category: "advice" in
--    "Food and essentials" ranked 25,000 services to keep 4,000. The category's terms are now a condition inside the
--    function, answered from an index on the terms (below) together with the text index (a bitmap AND), so only
--    services matching both are read and ranked.
-- The matches, their rank and the publication rule are as in 035.
create index published_services_terms on published_services using gin (term_ids);

drop function cg_services_matching_text(text);
create function cg_services_matching_text(terms text, within_terms uuid[] default null) returns table (service_id uuid, rank real, name text)
  language plpgsql stable security definer set search_path = {{schema}}, public
as $$
declare
  words tsquery := websearch_to_tsquery('english', terms);
  characters text := '%' || replace(replace(replace(lower(terms), '\', '\\'), '%', '\%'), '_', '\_') || '%';
begin
  return query execute
    'select p.service_id, (ts_rank(p.search_text, $1) + case when lower(p.name) like $2 then 1 else 0 end)::real, p.name
    from published_services p
    where p.lio_id = cg_current_lio()
      and p.status in (''active'', ''temporarily closed'') and p.consent_to_publish
      and p.organisation_consent_to_publish and p.organisation_status = ''active'' and p.organisation_merged_into_id is null
      and (p.search_text @@ $1 or lower(p.name) like $2)'
    || case when within_terms is null then '' else ' and p.term_ids && $3' end
    using words, characters, within_terms;
end
$$;
revoke execute on function cg_services_matching_text(text, uuid[]) from public;
grant execute on function cg_services_matching_text(text, uuid[]) to {{app_role}};

analyze published_services;
