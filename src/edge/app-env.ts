import type { ErrorCode } from "../errors";

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
    refusal: ErrorCode;
    eventCount: number;
    eventTypes: Map<string, number>;
  }
}

export type AppEnv = { Bindings: Env };
