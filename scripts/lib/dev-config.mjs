// What `wrangler dev` reads for a local run, without secrets on its command line (visible in `ps`).
// wrangler loads only the secrets named in `[secrets] required`, so the optional ones (ADMIN_TOKEN,
// AWS_SESSION_TOKEN) need a config that names them too: a private copy of wrangler.toml plus a
// mode-0600 env file, both in a mode-0700 temporary directory removed on stop.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./dev-vars.mjs";

export const REQUIRED_SECRETS = ["RADAR_WEBHOOK_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
export const OPTIONAL_SECRETS = ["ADMIN_TOKEN", "AWS_SESSION_TOKEN"];
const SECRET_NAMES = new Set([...REQUIRED_SECRETS, ...OPTIONAL_SECRETS]);

/** Splits overrides into secrets (env file) and plain vars (safe as `--var`). */
export function splitSecrets(vars) {
  const secrets = {};
  const plain = {};
  for (const [key, value] of Object.entries(vars)) (SECRET_NAMES.has(key) ? secrets : plain)[key] = value;
  return { secrets, plain };
}

function dotenvLine(key, value) {
  if (/['\n\r]/.test(value)) throw new Error(`${key} in .dev.vars must not contain a quote or a line break`);
  return `${key}='${value}'`;
}

/** wrangler.toml with an absolute `main` and the present optional secrets added to `[secrets] required`. */
export function devConfigText(toml, mainPath, optionalNames) {
  const secrets = /^(\[secrets\]\s*\nrequired\s*=\s*\[)([^\]]*)\]/m;
  if (!secrets.test(toml) || !/^main\s*=/m.test(toml)) throw new Error("wrangler.toml has no top-level main or [secrets] required");
  return toml
    .replace(/^main\s*=\s*"[^"]*"/m, `main = ${JSON.stringify(mainPath)}`)
    .replace(secrets, (_, head, list) => `${head}${[list.trim(), ...optionalNames.map((n) => JSON.stringify(n))].filter(Boolean).join(", ")}]`);
}

/**
 * Writes the private config and env file. Returns the wrangler args and a cleanup.
 * @param {Record<string,string>} secrets every secret value the Worker should see
 */
export function writeDevConfig(secrets) {
  const dir = mkdtempSync(join(tmpdir(), "milk-dev-"));
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const optional = OPTIONAL_SECRETS.filter((k) => secrets[k]);
  const config = join(dir, "wrangler.toml");
  const envFile = join(dir, "secrets.env");
  writeFileSync(config, `# Generated for one local run by scripts/lib/dev-config.mjs; removed on stop.\n${devConfigText(toml, join(ROOT, "src", "worker.ts"), optional)}`, { mode: 0o600 });
  const lines = Object.entries(secrets).filter(([k, v]) => SECRET_NAMES.has(k) && v).map(([k, v]) => dotenvLine(k, v));
  writeFileSync(envFile, lines.join("\n") + "\n", { mode: 0o600 });
  return { args: ["--config", config, "--env-file", envFile], dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
