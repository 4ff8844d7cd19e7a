-- Iceberg path: rotate the R2 key of the external volume and the catalog token in place.
-- Run when a key or token is replaced; the Iceberg table keeps working (nothing is re-created).
-- Create the new R2 token and Cloudflare API token first, run this, then revoke the old ones.
USE ROLE MILK_ENGINEER;

ALTER EXTERNAL VOLUME milk_r2_volume UPDATE
  STORAGE_LOCATION = 'milk-r2'
  CREDENTIALS = (AWS_KEY_ID = '<NEW_R2_ACCESS_KEY_ID>' AWS_SECRET_KEY = '<NEW_R2_SECRET_ACCESS_KEY>');

ALTER CATALOG INTEGRATION milk_basin_catalog SET
  REST_AUTHENTICATION = (BEARER_TOKEN = '<NEW_CLOUDFLARE_API_TOKEN>');

-- Check: the table still refreshes (the snapshot advances within a minute of new data).
SELECT SYSTEM$GET_ICEBERG_TABLE_INFORMATION('MILK.RAW.locations');
