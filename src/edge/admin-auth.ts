import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors";
import type { AppEnv } from "./app-env";

const encoder = new TextEncoder();

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time (equal-length digests).
 * With no ADMIN_TOKEN configured the admin routes are disabled.
 */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuth(c, next) {
    const token = c.env.ADMIN_TOKEN?.trim() ?? "";
    if (!token) throw new ApiError("admin_disabled", "admin routes are disabled: no ADMIN_TOKEN is set");
    const presented = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? "";
    const [a, b] = await Promise.all([sha256(presented), sha256(token)]);
    if (!presented || !crypto.subtle.timingSafeEqual(a, b)) throw new ApiError("unauthorized", "missing or invalid admin bearer token");
    await next();
  };
}
