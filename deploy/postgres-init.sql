-- Run once by the compose `db` service when it creates its data directory.
-- The role the web app, worker and beat connect as: it owns no table and row-level
-- security applies to it. `manage.py grant_app_role improvewell_app` (the compose
-- `migrate` service) gives it its rights on rows after each migrate.
-- Local stack only: use a long random password anywhere else.
CREATE ROLE improvewell_app LOGIN PASSWORD 'improvewell_app'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
