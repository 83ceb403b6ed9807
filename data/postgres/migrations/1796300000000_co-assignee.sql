-- Up Migration
-- A keukentafelgesprek has a second person (doc->'coAssignee', issue 15): `status` in the personal chat finds the
-- cases of that person too, without reading every record.
CREATE INDEX referrals_co_assignee ON referrals ((doc->'coAssignee'->>'aadObjectId')) WHERE doc ? 'coAssignee';

-- Down Migration
DROP INDEX referrals_co_assignee;
