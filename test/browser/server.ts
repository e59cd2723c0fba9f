/**
 * A tiny static HTTP server for the browser test: serves chosen folders of the repository on
 * 127.0.0.1 at a random free port, with the MIME types browsers insist on for ES modules and wasm,
 * and — when `isolated` — the COOP/COEP headers that make a page cross-origin isolated (so
 * `SharedArrayBuffer` exists and the wasm backend may run on worker threads).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

export interface StaticServerOptions {
  /** URL prefix → absolute folder, e.g. `{ "/dist/": "/repo/dist" }`. Nothing else is served. */
  mounts: Record<string, string>;
  /** Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`. */
  isolated: boolean;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every path requested, with its status, so a test can report what was fetched. */
  log: { path: string; status: number }[];
  close(): Promise<void>;
}

export async function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  const log: StaticServer["log"] = [];
  const mounts = Object.entries(opts.mounts).map(([prefix, dir]) => [prefix, resolve(dir)] as const);

  const headers = (res: ServerResponse, type?: string): void => {
    res.setHeader("Cache-Control", "no-store");
    if (type) res.setHeader("Content-Type", type);
    if (opts.isolated) {
      res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
      res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
      res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    }
  };
  const fail = (res: ServerResponse, path: string, status: number): void => {
    log.push({ path, status });
    headers(res, "text/plain; charset=utf-8");
    res.statusCode = status;
    res.end(`${status}\n`);
  };

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (req.method !== "GET" && req.method !== "HEAD") return fail(res, path, 405);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return fail(res, path, 404);
    const [prefix, dir] = mount;
    const file = resolve(dir, "." + sep + path.slice(prefix.length));
    if (file !== dir && !file.startsWith(dir + sep)) return fail(res, path, 403);
    stat(file).then(
      (s) => {
        if (!s.isFile()) return fail(res, path, 404);
        log.push({ path, status: 200 });
        headers(res, MIME[extname(file)] ?? "application/octet-stream");
        res.setHeader("Content-Length", s.size);
        if (req.method === "HEAD") return void res.end();
        createReadStream(file).pipe(res);
      },
      () => fail(res, path, 404),
    );
  });
  await new Promise<void>((ok, bad) => {
    server.once("error", bad);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
