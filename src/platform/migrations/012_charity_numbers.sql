-- Charity numbers of Northern Ireland (the Charity Commission for Northern Ireland's NIC and six digits, the
-- org-id.guide scheme GB-NIC) are accepted, beside those of England and Wales and of Scotland.
--
-- England and Wales numbers keep the 6 to 8 digits allowed before, so that no record already held becomes
-- unsaveable (organisation-policy.ts checks the same formats).
alter table organisations drop constraint organisations_charity_number_check;
alter table organisations add constraint organisations_charity_number_check
  check (charity_number ~ '^[0-9]{6,8}(-[0-9]{1,3})?$' or charity_number ~ '^(SC|NIC)[0-9]{6}$');
