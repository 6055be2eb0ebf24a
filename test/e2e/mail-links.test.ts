// Every mailed link opens a page of the web app: each purpose's page (MAIL_LINKS) is served the
// app by public/_redirects, and the app picks a view for it. A new purpose without its page fails
// here, naming it.

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAIL_LINKS } from "../../src/mail/messages";

const root = path.resolve(import.meta.dirname, "../..");
const redirects = readFileSync(path.join(root, "public/_redirects"), "utf8");
const app = readFileSync(path.join(root, "src/web/app.ts"), "utf8");

describe("mail links", () => {
  it.each(Object.entries(MAIL_LINKS).map(([purpose, { page }]) => [purpose, page]))(
    "%s opens /app/%s, which the app serves and shows",
    (_purpose, page) => {
      expect(redirects).toMatch(new RegExp(`^/app/${page} /app/ 200$`, "m"));
      expect(app).toContain(`location.pathname.endsWith("/${page}")`);
    },
  );
});
