import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { Dialect, tokenize } from "@polyglot-sql/sdk";
import { describe, expect, it } from "vitest";
import { LOCATION_COLUMNS } from "../../src/normalize/location-record";
import { LOCATION_PARQUET_COLUMNS } from "../../src/sinks/lake-parquet";
import { PARSER_GAPS, columnList, parsed, splitBody } from "./snowflake-parse";
import { keywordsOnly, sqlFiles, statementsOf, type Statement } from "./snowflake-statements";

// Every statement in snowflake/ goes through an independent Snowflake-dialect parser
// (@polyglot-sql/sdk, a port of sqlglot), then through the rules issue 19 found broken.
const ROOT = process.cwd();
const FILES = sqlFiles(ROOT, "snowflake");
const ALL = statementsOf(ROOT, FILES);
const where = (s: Statement) => `${s.file}:${s.line}`;
const kw = (s: Statement) => keywordsOnly(s.code);
const matching = (re: RegExp) => ALL.filter((s) => re.test(kw(s)));

/** Statements polyglot keeps as raw text (it does not model them): tokenized, not parsed. */
const RAW_KINDS = /^(CREATE (OR REPLACE )?(ROLE|WAREHOUSE|FILE FORMAT|STAGE|EXTERNAL VOLUME|CATALOG INTEGRATION|NOTIFICATION INTEGRATION|ALERT|PROCEDURE)|ALTER (STAGE|EXTERNAL VOLUME|CATALOG INTEGRATION|TASK|ALERT|EXTERNAL TABLE|DYNAMIC TABLE|ICEBERG TABLE)|DESCRIBE|DESC|LIST|SHOW|EXECUTE ALERT|CALL)\b/;

describe("snowflake/*.sql parse as Snowflake SQL (@polyglot-sql/sdk)", () => {
  it("finds the setup files of both paths", () => {
    expect(FILES.filter((f) => f.includes("/iceberg/")).length).toBeGreaterThanOrEqual(3);
    expect(FILES.filter((f) => f.includes("/external-table/")).length).toBeGreaterThanOrEqual(3);
    expect(ALL.length).toBeGreaterThan(40);
  });

  it.each(ALL.map((s) => [where(s), s] as const))("%s parses", (_, s) => {
    if (PARSER_GAPS.some((gap) => gap.test(s.code))) return expect(tokenize(s.sql, Dialect.Snowflake).error ?? "").toBe("");
    const result = parsed(s.sql);
    expect(result.error ?? "", s.sql.slice(0, 200)).toBe("");
    expect(result.ok).toBe(true);
    // A raw pass-through only proves tokenization: allow it only for kinds polyglot does not
    // model, and require balanced parentheses (their required parameters are checked below).
    if (!result.raw) return;
    expect(kw(s), "parsed only as raw text").toMatch(RAW_KINDS);
    expect(kw(s).split("(").length, "balanced parentheses").toBe(kw(s).split(")").length);
  });

  it("parses the SQL inside procedure bodies, alert conditions and task bodies too", () => {
    const embedded = ALL.flatMap((s) => {
      const body = s.code.match(/\$\$([\s\S]*)\$\$/)?.[1];
      const condition = s.code.match(/\bIF \(EXISTS \(([\s\S]*)\)\) THEN\b/i)?.[1];
      const task = /^CREATE (OR REPLACE )?TASK/i.test(s.code) ? s.code.match(/\bAS (.*)$/i)?.[1] : undefined;
      const inner = body ? splitBody(s, body) : [];
      return [...inner, ...[condition, task].filter((x): x is string => !!x).map((sql) => ({ ...s, sql, code: sql }))];
    });
    expect(embedded.length).toBeGreaterThan(5);
    for (const s of embedded) expect(parsed(s.sql).error ?? "", `${where(s)}: ${s.sql.slice(0, 120)}`).toBe("");
  });
});

describe("rules the old external-table SQL broke (issue 19)", () => {
  it("partition columns use only functions Snowflake allows in partition expressions", () => {
    const tables = matching(/^CREATE (OR REPLACE )?EXTERNAL TABLE/);
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) {
      const partitionBy = kw(t).match(/PARTITION BY \(([^)]*)\)/)?.[1]?.split(",").map((c) => c.trim()) ?? [];
      expect(partitionBy.length, where(t)).toBeGreaterThan(0);
      for (const column of columnList(t.code).filter((c) => partitionBy.includes(c.split(" ")[0]!.toUpperCase()))) {
        const expression = column.slice(column.search(/ AS /i) + 4);
        const functions = [...expression.toUpperCase().matchAll(/([A-Z_][A-Z0-9_]*)\s*\(/g)].map((m) => m[1]);
        expect(functions.filter((f) => !["SPLIT_PART", "SUBSTR", "CAST", "IFF", "CONCAT"].includes(f!)), `${where(t)}: ${column}`).toEqual([]);
        expect(column, "METADATA$FILENAME is the only input").toMatch(/METADATA\$FILENAME/i);
      }
    }
  });

  it("never CREATE OR REPLACE what other objects depend on (stage, file format, integration, volume, tables)", () => {
    const replaced = matching(/^CREATE OR REPLACE /).map((s) => kw(s).match(/^CREATE OR REPLACE (SECURE )?(\w+( \w+)?)/)![2]);
    expect(replaced.filter((kind) => !/^(VIEW|DYNAMIC TABLE|PROCEDURE|TASK|ALERT|FUNCTION)\b/.test(kind!))).toEqual([]);
  });

  it("no TIMESTAMP_LTZ anywhere: UTC is explicit, never the session's TIMEZONE", () => {
    expect(matching(/LTZ\b/).map(where)).toEqual([]);
    expect(matching(/\bCURRENT_TIMESTAMP\b|\bLOCALTIMESTAMP\b/).filter((s) => !/^CREATE (OR REPLACE )?ALERT|DATEADD/.test(kw(s))).map(where)).toEqual([]);
  });

  it("COPY loads Parquet timestamps as NTZ (UTC wall clock): logical types and the vectorized scanner off", () => {
    const formats = matching(/^CREATE (OR REPLACE )?FILE FORMAT (IF NOT EXISTS )?\S+ TYPE = PARQUET/);
    expect(formats.length).toBeGreaterThan(0);
    for (const f of formats) expect(kw(f), where(f)).toMatch(/USE_LOGICAL_TYPE = FALSE.*USE_VECTORIZED_SCANNER = FALSE/);
  });

  it("loaded rows follow the lake's current files: COPY, then the file list, then replace and remove rows", () => {
    const body = matching(/^CREATE (OR REPLACE )?PROCEDURE \S*LOAD_MILK_LAKE/)[0]!.code.toUpperCase();
    const at = (re: RegExp) => body.search(re);
    const steps = [/COPY INTO \S*LOCATIONS_LANDING/, /ALTER EXTERNAL TABLE \S*LOCATIONS_EXT REFRESH/, /DELETE FROM \S*LOCATIONS_RAW USING/, /INSERT INTO \S*LOCATIONS_RAW/, /DELETE FROM \S*LOCATIONS_RAW WHERE [^;]*NOT IN \(SELECT [^;]*EXTERNAL_TABLE_FILES/, /DELETE FROM \S*LOCATIONS_LANDING/, /ALTER DYNAMIC TABLE \S*MILK_EVENTS REFRESH/];
    const positions = steps.map(at);
    expect(positions.every((p) => p >= 0), String(positions)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(body).not.toMatch(/TRUNCATE/);
  });

  it("the external table's stage is scoped to locations/, and no stage can read raw/ or quarantine/", () => {
    const stages = matching(/^CREATE (OR REPLACE )?STAGE/);
    expect(stages.length).toBeGreaterThan(0);
    for (const s of stages) {
      const url = s.code.match(/URL = '([^']*)'/)?.[1] ?? "";
      expect(url, where(s)).toMatch(/^s3compat:\/\/[^/]+(\/[a-z0-9-]+)+\/$/);
      expect(url).not.toMatch(/\/(raw|quarantine)\//);
    }
    const lakeStage = matching(/^CREATE (OR REPLACE )?EXTERNAL TABLE/)[0]!.code.match(/LOCATION = @([\w.]+)/)![1]!.split(".").pop()!;
    const stage = stages.find((s) => new RegExp(`STAGE (IF NOT EXISTS )?[\\w.]*\\b${lakeStage}\\b`, "i").test(s.code))!;
    expect(stage.code).toMatch(/URL = 's3compat:\/\/[^/]+\/locations\/'/);
  });

  it("loads never stop silently: COPY skips a bad file, the task never suspends itself, an alert watches", () => {
    const copies = ALL.map((s) => s.code).join("\n").match(/COPY INTO[^;]*?ON_ERROR = (\w+)/gi) ?? [];
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy).toMatch(/ON_ERROR = SKIP_FILE/i);
    for (const task of matching(/^CREATE (OR REPLACE )?TASK/)) expect(task.code, where(task)).toMatch(/SUSPEND_TASK_AFTER_NUM_FAILURES = 0/);
    expect(matching(/^CREATE (OR REPLACE )?ALERT/).length).toBeGreaterThan(0);
    expect(matching(/^ALTER ALERT \S+ RESUME/).length).toBeGreaterThan(0);
  });

  it("staging de-duplicates into a table on the external-table path, with a total tie-break", () => {
    const staging = matching(/^CREATE (OR REPLACE )?DYNAMIC TABLE \S*MILK_EVENTS/);
    expect(staging.map(where)).toHaveLength(1);
    expect(kw(staging[0]!)).toMatch(/ROW_NUMBER\(\) OVER \(\s*PARTITION BY ID ORDER BY [^)]*SRC_FILE, SRC_ROW\s*\) = 1/);
    expect(matching(/^CREATE (OR REPLACE )?VIEW \S*MILK_EVENTS/).filter((s) => s.file.includes("external-table"))).toEqual([]);
  });
});

describe("the Iceberg path and the lake's one column list", () => {
  it("reads Basin Catalog over REST with a bearer token, and the table refreshes itself", () => {
    expect(matching(/^CREATE EXTERNAL VOLUME IF NOT EXISTS/)[0]?.code).toMatch(/STORAGE_PROVIDER = 'S3COMPAT'.*ALLOW_WRITES = FALSE/);
    expect(matching(/^CREATE CATALOG INTEGRATION IF NOT EXISTS/)[0]?.code).toMatch(/CATALOG_SOURCE = ICEBERG_REST.*REST_CONFIG.*REST_AUTHENTICATION = \(TYPE = BEARER/);
    expect(matching(/^CREATE ICEBERG TABLE IF NOT EXISTS/)[0]?.code).toMatch(/AUTO_REFRESH = TRUE/);
  });

  it("raw table and both staging relations carry every lake column (src/normalize is the one list)", () => {
    const raw = matching(/^CREATE TABLE IF NOT EXISTS \S*LOCATIONS_RAW/)[0]!;
    expect(columnList(raw.code).map((c) => c.split(" ")[0]!.toLowerCase())).toEqual([...LOCATION_COLUMNS, "src_file", "src_row", "loaded_at"]);
    for (const s of matching(/^CREATE (OR REPLACE )?(DYNAMIC TABLE|VIEW) \S*\.MILK_EVENTS\b/)) {
      for (const column of LOCATION_COLUMNS) expect(s.code, `${where(s)} lacks ${column}`).toMatch(new RegExp(`\\b${column}\\b`));
    }
  });

  it("the Iceberg staging view turns every timestamp into UTC explicitly (the table's are session-zone)", () => {
    const view = matching(/^CREATE OR REPLACE VIEW MILK\.STAGING\.MILK_EVENTS/).find((s) => s.file.includes("/iceberg/"))!;
    for (const { name } of LOCATION_PARQUET_COLUMNS.filter((c) => c.kind === "timestamp_ms")) {
      const utc = new RegExp(`(CONVERT_TIMEZONE\\('UTC', ${name}\\)::TIMESTAMP_NTZ|TO_TIMESTAMP_NTZ\\(${name}_ms, 3\\)) AS ${name}\\b`, "i");
      expect(view.code, name).toMatch(utc);
    }
  });

  it("setup files are numbered in run order and docs/deploy.md names every file", () => {
    const deploy = readFileSync("docs/deploy.md", "utf8");
    for (const file of FILES) {
      expect(deploy, `docs/deploy.md does not mention ${file}`).toContain(file);
      if (!dirname(file).endsWith("rotate-credentials")) expect(basename(file)).toMatch(/^\d{2}-[a-z0-9-]+\.sql$/);
    }
    for (const path of ["iceberg", "external-table"]) {
      const numbers = FILES.filter((f) => dirname(f) === "snowflake" || f.includes(`/${path}/`)).map((f) => basename(f).slice(0, 2));
      expect(new Set(numbers).size, `${path}: one file per step`).toBe(numbers.length);
    }
  });
});
