-- Iceberg path, step 4: the catalog integration with Basin Catalog (Cloudflare's Iceberg REST
-- catalog, formerly R2 Data Catalog; one catalog per bucket). Values come from the bucket's
-- catalog settings in the dashboard: CATALOG_URI https://catalog.cloudflarestorage.com/<ACCOUNT_ID>/<BUCKET>,
-- warehouse (CATALOG_NAME) <ACCOUNT_ID>_<BUCKET>.
-- BEARER_TOKEN: a Cloudflare API token that can read the catalog (and R2 objects) of this bucket.
-- Data is read with the external volume's R2 key (ACCESS_DELEGATION_MODE defaults to
-- EXTERNAL_VOLUME_CREDENTIALS). Snowflake polls the catalog every REFRESH_INTERVAL_SECONDS
-- (30 is the minimum and the default) for tables created with AUTO_REFRESH = TRUE.
-- CATALOG_NAMESPACE is the Worker's TABLE_NAMESPACE (default milk). CATALOG_URI and CATALOG_NAME are
-- the Worker's TABLE_CATALOG_URI and TABLE_WAREHOUSE.
-- Never CREATE OR REPLACE it (the table depends on it); rotate the token with
-- snowflake/rotate-credentials/iceberg.sql.
USE ROLE MILK_ENGINEER;

CREATE CATALOG INTEGRATION IF NOT EXISTS milk_basin_catalog
  CATALOG_SOURCE = ICEBERG_REST
  TABLE_FORMAT = ICEBERG
  CATALOG_NAMESPACE = 'milk'
  REST_CONFIG = (
    CATALOG_URI = 'https://catalog.cloudflarestorage.com/<ACCOUNT_ID>/<BUCKET>'
    CATALOG_NAME = '<ACCOUNT_ID>_<BUCKET>'
  )
  REST_AUTHENTICATION = (TYPE = BEARER BEARER_TOKEN = '<CLOUDFLARE_API_TOKEN>')
  REFRESH_INTERVAL_SECONDS = 30
  ENABLED = TRUE
  COMMENT = 'Basin Catalog of the milk lake bucket, read-only';

-- Check: the integration exists and is enabled (a wrong URI, warehouse or token shows as an
-- error on the table in iceberg/05-table.sql).
SHOW CATALOG INTEGRATIONS LIKE 'milk_basin_catalog';
