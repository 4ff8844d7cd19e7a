// Secrets that deploys must not require, so `[secrets] required` (and thus `wrangler types`)
// cannot list them. Typed here as optional; everything else in Env stays generated.
declare namespace Cloudflare {
  interface Env {
    /** Enables the /admin routes; unset means they answer 403. */
    ADMIN_TOKEN?: string;
    /** Only for temporary AWS credentials. */
    AWS_SESSION_TOKEN?: string;
  }
}
