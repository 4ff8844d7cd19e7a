import type { Context } from "hono";
import type { AppEnv } from "../edge/app-env";
import { parseTokenList } from "../edge/signature";
import { readShardLayout } from "../guard/shard-layout";

/** 200 when the webhook can work; 503 naming each configuration problem (never a secret's value). */
export function checkHealth(c: Context<AppEnv>): Response {
  const problems: string[] = [];
  const tokens = parseTokenList(c.env.RADAR_WEBHOOK_TOKEN);
  if ("error" in tokens) problems.push(tokens.error);
  if (!c.env.SIGNING_GUARD) problems.push("the SIGNING_GUARD Durable Object binding is missing");
  const layout = readShardLayout(c.env);
  if ("error" in layout) problems.push(layout.error);
  return problems.length ? c.json({ status: "misconfigured", problems }, 503) : c.json({ status: "ok" });
}
