-- Charity numbers of Northern Ireland (the Charity Commission for Northern Ireland's NIC and six digits, the
-- org-id.guide scheme GB-NIC) are accepted, beside those of England and Wales and of Scotland.
--
-- The forms and imports accept only the real formats (organisation-policy.ts: 6 or 7 digits for England and
-- Wales). This check, the database's second line, still allows the 8 digits it allowed before, so that no
-- record already held becomes unsaveable.
alter table organisations drop constraint organisations_charity_number_check;
alter table organisations add constraint organisations_charity_number_check
  check (charity_number ~ '^[0-9]{6,8}(-[0-9]{1,3})?$' or charity_number ~ '^(SC|NIC)[0-9]{6}$');
