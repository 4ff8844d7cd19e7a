-- External-table path, step 5: the load every 10 minutes, and an alert when loads go wrong.
--
-- One run (procedure load_milk_lake):
--  1. COPY the files COPY has not loaded yet (new names, or a rewritten file's new ETag) into
--     locations_landing. ON_ERROR = SKIP_FILE: a bad file is skipped and retried next run, later
--     files still load, and the alert below reports it (ABORT_STATEMENT let one bad file block
--     every later load, silently).
--  2. REFRESH the external table: Snowflake's list of the files now under locations/. After the
--     COPY, so a file written in between is loaded next run, never dropped as "not current".
--  3. In one transaction: a loaded file's rows replace its earlier rows; rows of files the lake
--     removed (compaction replaced them) are deleted; landing is emptied.
--  4. Refresh staging (MILK.STAGING.milk_events) and record the run in load_runs.
-- Freshness on this path: lake writer (seconds) + up to 10 minutes + the run itself. Each run
-- resumes the warehouse (billed for at least 60 s), about 144 runs a day: an estimate, not measured.
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;
USE SCHEMA MILK.RAW;

CREATE OR REPLACE PROCEDURE MILK.RAW.load_milk_lake()
RETURNS VARCHAR
LANGUAGE SQL
EXECUTE AS OWNER
AS
$$
DECLARE
  started TIMESTAMP_NTZ DEFAULT SYSDATE();
  rows_loaded INTEGER DEFAULT 0;
  rows_removed INTEGER DEFAULT 0;
  current_files INTEGER DEFAULT 0;
  loaded_rows INTEGER DEFAULT 0;
  empty_listing EXCEPTION (-20001, 'the external table lists no lake file while rows are loaded; refusing to remove them all');
BEGIN
  COPY INTO MILK.RAW.locations_landing
    FROM @MILK.RAW.r2_milk_locations
    FILE_FORMAT = (FORMAT_NAME = 'MILK.RAW.ff_milk_parquet')
    PATTERN = '.*[.]parquet'
    MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
    INCLUDE_METADATA = (src_file = METADATA$FILENAME, src_row = METADATA$FILE_ROW_NUMBER)
    ON_ERROR = SKIP_FILE;
  rows_loaded := SQLROWCOUNT;
  ALTER EXTERNAL TABLE MILK.RAW.locations_ext REFRESH;
  SELECT COUNT(*) INTO :current_files FROM TABLE(MILK.INFORMATION_SCHEMA.EXTERNAL_TABLE_FILES(TABLE_NAME => 'MILK.RAW.LOCATIONS_EXT'));
  SELECT COUNT(*) INTO :loaded_rows FROM MILK.RAW.locations_raw;
  IF (current_files = 0 AND loaded_rows > 0) THEN
    RAISE empty_listing;
  END IF;
  BEGIN TRANSACTION;
  DELETE FROM MILK.RAW.locations_raw USING (SELECT DISTINCT src_file FROM MILK.RAW.locations_landing) AS reloaded WHERE locations_raw.src_file = reloaded.src_file;
  INSERT INTO MILK.RAW.locations_raw SELECT l.* EXCLUDE (loaded_at), SYSDATE() FROM MILK.RAW.locations_landing AS l;
  -- Both names end in the lake key dt=…/hour=…/<name>.parquet; compare from there.
  DELETE FROM MILK.RAW.locations_raw WHERE SUBSTR(src_file, POSITION('dt=', src_file)) NOT IN (SELECT SUBSTR(file_name, POSITION('dt=', file_name)) FROM TABLE(MILK.INFORMATION_SCHEMA.EXTERNAL_TABLE_FILES(TABLE_NAME => 'MILK.RAW.LOCATIONS_EXT')));
  rows_removed := SQLROWCOUNT;
  DELETE FROM MILK.RAW.locations_landing;
  COMMIT;
  ALTER DYNAMIC TABLE MILK.STAGING.milk_events REFRESH;
  INSERT INTO MILK.RAW.load_runs (started_at, finished_at, rows_loaded, rows_removed, current_files) SELECT :started, SYSDATE(), :rows_loaded, :rows_removed, :current_files;
  RETURN 'loaded ' || rows_loaded || ' rows, removed ' || rows_removed || ' rows of replaced files, ' || current_files || ' current files';
END;
$$;

-- Never suspends itself (SUSPEND_TASK_AFTER_NUM_FAILURES = 0): failures go to the alert instead.
CREATE OR REPLACE TASK MILK.RAW.load_milk_lake
  WAREHOUSE = MILK_WH
  SCHEDULE = 'USING CRON */10 * * * * UTC'
  SUSPEND_TASK_AFTER_NUM_FAILURES = 0
  ALLOW_OVERLAPPING_EXECUTION = FALSE
  COMMENT = 'Loads the lake''s current files into MILK.RAW.locations_raw and refreshes MILK.STAGING.milk_events'
AS
  CALL MILK.RAW.load_milk_lake();

ALTER TASK MILK.RAW.load_milk_lake RESUME;
-- The first load now rather than at the next ten minutes.
EXECUTE TASK MILK.RAW.load_milk_lake;

-- The alert e-mails through a notification integration; recipients must be verified e-mail
-- addresses of users in this account.
CREATE NOTIFICATION INTEGRATION IF NOT EXISTS milk_alert_email
  TYPE = EMAIL
  ENABLED = TRUE
  ALLOWED_RECIPIENTS = ('<ALERT_EMAIL>');

-- Every 15 minutes: a failed run, a file that failed to load, or no finished run for 30 minutes
-- (the task suspended, the warehouse gone, the procedure failing before it records a run).
CREATE OR REPLACE ALERT MILK.RAW.milk_load_unhealthy
  WAREHOUSE = MILK_WH
  SCHEDULE = '15 MINUTE'
  IF (EXISTS (SELECT 'run failed' AS problem FROM TABLE(MILK.INFORMATION_SCHEMA.TASK_HISTORY(TASK_NAME => 'LOAD_MILK_LAKE', SCHEDULED_TIME_RANGE_START => DATEADD('hour', -1, CURRENT_TIMESTAMP()))) WHERE state = 'FAILED' UNION ALL SELECT 'file failed to load' FROM TABLE(MILK.INFORMATION_SCHEMA.COPY_HISTORY(TABLE_NAME => 'MILK.RAW.LOCATIONS_LANDING', START_TIME => DATEADD('hour', -1, CURRENT_TIMESTAMP()))) WHERE status <> 'Loaded' UNION ALL SELECT 'no run finished in 30 minutes' FROM (SELECT MAX(finished_at) AS last_finished FROM MILK.RAW.load_runs) WHERE last_finished IS NULL OR last_finished < DATEADD('minute', -30, SYSDATE())))
  THEN CALL SYSTEM$SEND_EMAIL('milk_alert_email', '<ALERT_EMAIL>', 'MILK lake load needs attention', 'A load run failed, a file failed to load, or no run finished in 30 minutes. Look at MILK.RAW.load_runs, TASK_HISTORY for MILK.RAW.LOAD_MILK_LAKE and COPY_HISTORY for MILK.RAW.LOCATIONS_LANDING.');

ALTER ALERT MILK.RAW.milk_load_unhealthy RESUME;
