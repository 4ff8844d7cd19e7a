// Types `exports.default` from "cloudflare:workers" as our main module.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/worker");
  }
}
