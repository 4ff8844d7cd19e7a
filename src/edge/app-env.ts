import type { ErrorCode } from "../errors";

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
    refusal: ErrorCode;
    eventCount: number;
    eventTypes: Map<string, number>;
    /** Strings of the accepted events in which an unpaired surrogate became U+FFFD. */
    repairedStrings: number;
  }
}

export type AppEnv = { Bindings: Env };
