-- Step 3: hourly load. COPY remembers loaded files by name and ETag for 64 days, and our
-- objects are immutable with unique names, so re-running COPY never double-loads a file.
USE SCHEMA MILK.RAW;

CREATE OR REPLACE PROCEDURE load_milk_lake()
RETURNS VARCHAR
LANGUAGE SQL
AS
$$
BEGIN
  COPY INTO MILK.RAW.locations_raw
    FROM @MILK.RAW.r2_milk_lake/locations/
    FILE_FORMAT = (FORMAT_NAME = 'MILK.RAW.ff_milk_parquet')
    PATTERN = '.*[.]parquet'
    MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
    INCLUDE_METADATA = (src_file = METADATA$FILENAME, src_mtime = METADATA$FILE_LAST_MODIFIED)
    ON_ERROR = ABORT_STATEMENT;
  ALTER EXTERNAL TABLE MILK.RAW.locations_ext REFRESH;
  RETURN 'ok';
END;
$$;

-- Twenty past each hour: the Worker's cron compacts closed hours at :15 (src/lake/; estimated
-- 2.5 min for a 2 M-event hour). Files it replaces that an earlier run already loaded come back as
-- duplicate rows in locations_raw; the staging view keeps one row per id.
-- <WAREHOUSE>: a warehouse the task owner's role has USAGE on; resuming the task needs
-- EXECUTE TASK on the account (docs/deploy.md, step 7).
CREATE OR REPLACE TASK load_milk_lake_hourly
  WAREHOUSE = <WAREHOUSE>
  SCHEDULE = 'USING CRON 20 * * * * UTC'
AS
  CALL load_milk_lake();

ALTER TASK load_milk_lake_hourly RESUME;
