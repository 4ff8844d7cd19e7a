import type { ErrorCode } from "../errors";

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
    refusal: ErrorCode;
    eventCount: number;
  }
}

export type AppEnv = { Bindings: Env };
