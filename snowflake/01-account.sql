-- Snowflake over the lake, step 1 (both paths): roles, the warehouse and account privileges.
-- Run as ACCOUNTADMIN (it creates roles and grants account-level privileges); every later file
-- runs as MILK_ENGINEER, which then owns every object, including those holding the R2 key and
-- the Cloudflare token. Analysts get MILK_ANALYST: the STAGING and ANALYTICS schemas only, never
-- the RAW schema, the stage or the external volume (grants in the later files).
USE ROLE ACCOUNTADMIN;

CREATE ROLE IF NOT EXISTS MILK_ENGINEER COMMENT = 'Owns the MILK database, the R2 stage or external volume, the catalog integration, load task and alert';
CREATE ROLE IF NOT EXISTS MILK_ANALYST COMMENT = 'Reads MILK.STAGING and MILK.ANALYTICS only';
GRANT ROLE MILK_ANALYST TO ROLE MILK_ENGINEER;
GRANT ROLE MILK_ENGINEER TO ROLE SYSADMIN;

-- One extra-small warehouse for the load task, the staging refresh, the alert and analysts;
-- give analysts their own warehouse if their queries should not queue behind loads.
CREATE WAREHOUSE IF NOT EXISTS MILK_WH
  WAREHOUSE_SIZE = XSMALL
  AUTO_SUSPEND = 60
  AUTO_RESUME = TRUE
  INITIALLY_SUSPENDED = TRUE;
GRANT USAGE, OPERATE ON WAREHOUSE MILK_WH TO ROLE MILK_ENGINEER;
GRANT USAGE ON WAREHOUSE MILK_WH TO ROLE MILK_ANALYST;

GRANT CREATE DATABASE ON ACCOUNT TO ROLE MILK_ENGINEER;
-- Iceberg path: the catalog integration and the external volume. External-table path: the
-- e-mail notification integration of the load alert.
GRANT CREATE INTEGRATION ON ACCOUNT TO ROLE MILK_ENGINEER;
GRANT CREATE EXTERNAL VOLUME ON ACCOUNT TO ROLE MILK_ENGINEER;
-- External-table path: resuming the load task and the alert.
GRANT EXECUTE TASK ON ACCOUNT TO ROLE MILK_ENGINEER;
GRANT EXECUTE ALERT ON ACCOUNT TO ROLE MILK_ENGINEER;

-- Give people the roles (user names are yours):
-- GRANT ROLE MILK_ENGINEER TO USER <engineer>;
-- GRANT ROLE MILK_ANALYST TO USER <analyst>;
