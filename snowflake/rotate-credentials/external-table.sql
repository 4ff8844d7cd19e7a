-- External-table path: rotate the stage's R2 key in place. ALTER STAGE keeps the stage object,
-- so the external table and COPY's load history stay linked (CREATE OR REPLACE STAGE would break
-- every later REFRESH). Create the new R2 token first, run this, then revoke the old one.
USE ROLE MILK_ENGINEER;

ALTER STAGE MILK.RAW.r2_milk_locations SET
  CREDENTIALS = (AWS_KEY_ID = '<NEW_R2_ACCESS_KEY_ID>' AWS_SECRET_KEY = '<NEW_R2_SECRET_ACCESS_KEY>');

-- Check: the stage lists files, and the next load run succeeds.
LIST @MILK.RAW.r2_milk_locations PATTERN = '.*[.]parquet';
EXECUTE TASK MILK.RAW.load_milk_lake;
