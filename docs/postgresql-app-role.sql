-- The privileges of the database role the site runs as (README "Running as a non-owner role").
--
-- Run as the role that owns the tables (the one `manage.py migrate` runs as), after creating the app role
-- once (CREATE ROLE msinfo_app LOGIN PASSWORD '…';) and again after every migrate (new tables).
-- The app may read and write content as usual, but it may only add to the audit log: it can neither change
-- nor delete an audit event, nor empty the table, nor drop or disable the trigger that also refuses those
-- (only the table's owner could).
GRANT USAGE ON SCHEMA public TO msinfo_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO msinfo_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO msinfo_app;
REVOKE UPDATE, DELETE, TRUNCATE ON therapies_auditevent FROM msinfo_app;
