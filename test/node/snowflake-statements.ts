// Splits the SQL files in snowflake/ into statements, the way SnowSQL and a worksheet do: on `;`
// outside comments, quoted strings, quoted identifiers and $$ … $$ bodies.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface Statement {
  file: string;
  line: number;
  /** The statement as written, comments included (the parser sees exactly this). */
  sql: string;
  /** The same text with comments removed and whitespace collapsed. */
  code: string;
}

/** Every .sql file under dir, relative to root, in path order. */
export function sqlFiles(root: string, dir: string): string[] {
  return (readdirSync(join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".sql"))
    .map((f) => relative(root, join(root, dir, f)))
    .sort();
}

/** Index just past the quoted run starting at i (quote char q, doubled quote or backslash escapes). */
function skipQuoted(text: string, i: number, q: string): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\" && q === "'") j++;
    else if (text[j] === q) {
      if (text[j + 1] === q) j++;
      else return j + 1;
    }
  }
  throw new Error(`unterminated ${q} at offset ${i}`);
}

/** Index just past a comment or quoted run at i, or i when none starts there; `dropped` is true for comments. */
function skipToken(text: string, i: number): { end: number; dropped: boolean } {
  const two = text.slice(i, i + 2);
  if (two === "--" || two === "//") {
    const nl = text.indexOf("\n", i);
    return { end: nl < 0 ? text.length : nl, dropped: true };
  }
  if (two === "/*") return { end: text.indexOf("*/", i + 2) + 2, dropped: true };
  if (two === "$$") {
    const close = text.indexOf("$$", i + 2);
    if (close < 0) throw new Error(`unterminated $$ at offset ${i}`);
    return { end: close + 2, dropped: false };
  }
  if (text[i] === "'" || text[i] === '"') return { end: skipQuoted(text, i, text[i]!), dropped: false };
  return { end: i, dropped: false };
}

/** Statements of one SQL text; `code` has comments stripped so rules never match commented-out SQL. */
export function splitStatements(file: string, text: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let code = "";
  const push = (end: number) => {
    const sql = text.slice(start, end).trim();
    const clean = code.replace(/\s+/g, " ").trim();
    const lead = Math.max(0, text.slice(start).search(/\S/));
    if (clean) out.push({ file, line: text.slice(0, start + lead).split("\n").length, sql, code: clean });
    start = end + 1;
    code = "";
  };
  for (let i = 0; i < text.length; ) {
    const { end, dropped } = skipToken(text, i);
    if (end > i) {
      code += dropped ? " " : text.slice(i, end);
      i = end;
    } else if (text[i] === ";") push(i++);
    else code += text[i++];
  }
  push(text.length);
  return out;
}

export function statementsOf(root: string, files: string[]): Statement[] {
  return files.flatMap((f) => splitStatements(f, readFileSync(join(root, f), "utf8")));
}

/** `code` with string literals and $$ bodies blanked, for rules about SQL keywords only. */
export function keywordsOnly(code: string): string {
  let out = "";
  for (let i = 0; i < code.length; ) {
    const { end } = skipToken(code, i);
    if (end > i) {
      out += " '' ";
      i = end;
    } else out += code[i++];
  }
  return out.toUpperCase();
}
