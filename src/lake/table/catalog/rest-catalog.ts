import { createTableRequest, type TableMetadata, type TableRequirement, type TableUpdate } from "../format";
import { type Catalog, CatalogError, type LoadedTable, type TableIdentity } from "./catalog";

/** Basin Catalog times requests out after 40 s (reference: iceberg.md); so do we. */
export const REST_TIMEOUT_MS = 40_000;

export interface RestCatalogOptions extends TableIdentity {
  uri: string;
  warehouse: string;
  /** Bearer token: a secret; it is sent as a header only, never logged or put in an error. */
  token: string;
  fetcher?: typeof fetch;
}

/** Maps an HTTP answer to the committer's three reactions (catalog.ts). */
export async function classifyResponse(response: Response): Promise<CatalogError> {
  const text = (await response.text().catch(() => "")).slice(0, 300);
  const what = `catalog answered ${response.status}: ${text}`;
  // Two racing commits: the server retries the loser twice, then answers 400 ConcurrentUpdateError.
  if (response.status === 409 || (response.status === 400 && text.includes("ConcurrentUpdate"))) return new CatalogError("conflict", what);
  if (response.status === 429) return new CatalogError("retryable", what, Number(response.headers.get("Retry-After")) || 60);
  if (response.status >= 500 || response.status === 408) return new CatalogError("retryable", what);
  return new CatalogError("fatal", what);
}

/** Iceberg REST catalog adapter (Basin Catalog): `GET /v1/config?warehouse=` first, for the prefix. */
export class RestCatalog implements Catalog {
  private prefix: Promise<string> | undefined;

  constructor(private readonly options: RestCatalogOptions) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const { uri, token, fetcher = fetch } = this.options;
    let response: Response;
    try {
      response = await fetcher(`${uri.replace(/\/$/, "")}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REST_TIMEOUT_MS),
      });
    } catch (err) {
      // Timeout or connection lost: the request may have been applied (a lost answer).
      throw new CatalogError("retryable", `catalog request failed: ${err instanceof Error ? err.name : "error"}`);
    }
    return response;
  }

  private tablesPath(): Promise<string> {
    this.prefix ??= this.call("GET", `/v1/config?warehouse=${encodeURIComponent(this.options.warehouse)}`).then(async (response) => {
      if (!response.ok) throw await classifyResponse(response);
      const config = (await response.json()) as { overrides?: Record<string, string>; defaults?: Record<string, string> };
      const prefix = config.overrides?.prefix ?? config.defaults?.prefix;
      return `/v1/${prefix ? `${encodeURIComponent(prefix)}/` : ""}namespaces/${encodeURIComponent(this.options.namespace)}/tables`;
    });
    return this.prefix.catch((err) => {
      this.prefix = undefined;
      throw err;
    });
  }

  private async loaded(response: Response): Promise<LoadedTable> {
    if (!response.ok) throw await classifyResponse(response);
    const body = (await response.json()) as { "metadata-location": string; metadata: TableMetadata };
    return { metadata: body.metadata, metadataLocation: body["metadata-location"] };
  }

  async loadTable(): Promise<LoadedTable | null> {
    const response = await this.call("GET", `${await this.tablesPath()}/${encodeURIComponent(this.options.name)}`);
    if (response.status === 404) return null;
    return this.loaded(response);
  }

  async createTable(): Promise<LoadedTable> {
    const tables = await this.tablesPath();
    const namespaces = tables.replace(/\/[^/]+\/tables$/, "");
    // 409: the namespace exists already, which is what we want.
    const ns = await this.call("POST", namespaces, { namespace: [this.options.namespace], properties: {} });
    if (!ns.ok && ns.status !== 409) throw await classifyResponse(ns);
    const response = await this.call("POST", tables, createTableRequest(this.options.name));
    if (response.status === 409) return (await this.loadTable())!;
    return this.loaded(response);
  }

  async commitTable(requirements: TableRequirement[], updates: TableUpdate[]): Promise<LoadedTable> {
    const identifier = { namespace: [this.options.namespace], name: this.options.name };
    return this.loaded(await this.call("POST", `${await this.tablesPath()}/${encodeURIComponent(this.options.name)}`, { identifier, requirements, updates }));
  }
}
