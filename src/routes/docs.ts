import { Hono } from "hono";
import type { RouterRoute } from "hono/types";
import type { AppEnv } from "../middleware/context";
import { describeRoute } from "./describe";
import { openApiDocument } from "./openapi";

// The renderer (/docs/scalar.js) is a static asset of this Worker (see scripts/copy-assets.mjs);
// the page loads nothing from another host, and its CSP says so.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>chirpy-edge API reference</title>
    <link rel="icon" href="/app/icon.svg" type="image/svg+xml">
  </head>
  <body>
    <div id="app"></div>
    <script src="/docs/scalar.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

// The renderer's hosted extras ("Ask AI", "Generate SDK", MCP, the developer tools' "Deploy") call
// Scalar's services, which this page neither loads nor allows (CSP): switched off, not left dead.
const INIT = `Scalar.createApiReference("#app", {
  url: "/openapi.json",
  withDefaultFonts: false,
  proxyUrl: "",
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
});
`;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The document and its reference page; `routes` gives the app's routes to describe. */
export const docsRoutes = (routes: () => RouterRoute[]) =>
  new Hono<AppEnv>()
    .get(
      "/openapi.json",
      describeRoute({
        summary: "This document (OpenAPI 3.1)",
        tag: "ops",
        responses: { 200: ["The OpenAPI document"] },
      }),
      (c) => c.json(openApiDocument(routes()), 200),
    )
    .get(
      "/docs",
      describeRoute({
        summary: "API reference page rendered from this document",
        tag: "ops",
        responses: { 200: ["HTML page", "html"] },
      }),
      (c) => {
        c.header("Content-Security-Policy", CSP);
        return c.html(PAGE, 200);
      },
    )
    .get("/docs/init.js", (c) => {
      c.header("Content-Type", "text/javascript; charset=utf-8");
      return c.body(INIT, 200);
    });
