import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { createSiteServer } from "../../lessons/serve";
import { scratchDir } from "../kernel/fixtures";

function get(port: number, rawPath: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: rawPath }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers["content-type"]) }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the site server serves files under its root only, with content types", async () => {
  const root = scratchDir("serve");
  fs.writeFileSync(path.join(root, "index.html"), "<p>home</p>");
  fs.mkdirSync(path.join(root, "assets"));
  fs.writeFileSync(path.join(root, "assets", "site.css"), "body{}");
  const server = createSiteServer(root);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    expect(await get(port, "/")).toEqual({ status: 200, body: "<p>home</p>", type: "text/html; charset=utf-8" });
    expect((await get(port, "/assets/site.css")).type).toBe("text/css; charset=utf-8");
    expect((await get(port, "/missing.html")).status).toBe(404);
    // Dot segments are normalised away by URL parsing; encoded slashes are caught after decoding.
    expect((await get(port, "/../../package.json")).status).toBe(404);
    expect((await get(port, "/..%2f..%2f..%2fpackage.json")).status).toBe(403);
  } finally {
    server.close();
  }
});
