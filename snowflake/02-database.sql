-- Step 2 (both paths): the database and its three schemas, as MILK_ENGINEER.
--   RAW       the lake as Snowflake sees it (Iceberg table, or external table + loaded rows); engineers only
--   STAGING   one row per event id (milk_events) and the hour status (lake_hours); analysts read
--   ANALYTICS the analytics views (07-analytics-views.sql); analysts read
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;

CREATE DATABASE IF NOT EXISTS MILK;
CREATE SCHEMA IF NOT EXISTS MILK.RAW;
CREATE SCHEMA IF NOT EXISTS MILK.STAGING;
CREATE SCHEMA IF NOT EXISTS MILK.ANALYTICS;

GRANT USAGE ON DATABASE MILK TO ROLE MILK_ANALYST;
GRANT USAGE ON SCHEMA MILK.STAGING TO ROLE MILK_ANALYST;
GRANT USAGE ON SCHEMA MILK.ANALYTICS TO ROLE MILK_ANALYST;
