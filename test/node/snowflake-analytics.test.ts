import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { outputColumns } from "@polyglot-sql/sdk";
import { describe, expect, it } from "vitest";
import { sqlFiles, statementsOf } from "./snowflake-statements";

// Snowflake's views and the DuckDB side (analytics/*.sql, `npm run lake -- query`) must ask the
// same questions: same views, same output columns, the same copy of a duplicated id.
const ROOT = process.cwd();
const SNOWFLAKE = statementsOf(ROOT, sqlFiles(ROOT, "snowflake"));
const VIEWS = new Map(
  SNOWFLAKE.flatMap((s) => {
    const m = s.code.match(/^CREATE OR REPLACE VIEW (\w+) AS (.*)$/i);
    return m ? [[m[1]!.toLowerCase(), m[2]!] as const] : [];
  }),
);
const columnsOf = (sql: string, dialect: string) => {
  const result = outputColumns(sql, dialect);
  expect(result.error ?? "", sql.slice(0, 120)).toBe("");
  return result.output!.columns.map((c) => (c.kind === "named" ? c.name.toLowerCase() : c.kind));
};
/** The ORDER BY inside `ROW_NUMBER() OVER (PARTITION BY id ORDER BY …)`, normalized. */
const dedupeOrder = (sql: string) =>
  sql.replace(/\s+/g, " ").match(/row_number\(\) over \(\s*partition by id order by ([^)]*?)\s*\)/i)?.[1]?.toLowerCase().split(/,\s*/);

describe("Snowflake analytics = DuckDB analytics", () => {
  const files = sqlFiles(ROOT, "analytics");

  it.each(files)("%s has a Snowflake view of the same name with the same columns", (file) => {
    const name = basename(file, ".sql").replace(/^\d+-/, "").replaceAll("-", "_");
    const view = VIEWS.get(name);
    expect(view, `MILK.ANALYTICS.${name} in snowflake/07-analytics-views.sql`).toBeDefined();
    expect(columnsOf(view!, "snowflake")).toEqual(columnsOf(readFileSync(file, "utf8"), "duckdb"));
  });

  it("keeps the same copy of a duplicated id as `npm run lake -- query` (the external-table path adds file and row)", () => {
    const duck = dedupeOrder(readFileSync("scripts/lib/lake-duckdb.mjs", "utf8"));
    const staging = SNOWFLAKE.filter((s) => /^CREATE (OR REPLACE )?(VIEW|DYNAMIC TABLE) MILK\.STAGING\.milk_events\b/i.test(s.code));
    expect(duck).toEqual(["user_id nulls last", "created_at_ms", "process_timestamp", "received_at"]);
    expect(staging.map((s) => s.file).sort()).toEqual(["snowflake/external-table/04-tables.sql", "snowflake/iceberg/05-table.sql"]);
    for (const s of staging) expect(dedupeOrder(s.code)?.slice(0, duck!.length), s.file).toEqual(duck);
  });
});
