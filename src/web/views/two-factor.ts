// The Account page's "Two-factor authentication" section: turning it on (the password again, a QR
// code of the otpauth URI drawn here from uqr's matrix, the secret as text, a code to confirm, then
// the recovery codes once, with Copy and Download) and off (a code or a recovery code).

import { encode } from "uqr";
import { field, h, inputValue, say } from "../dom";
import { client } from "../session";

const SVG = "http://www.w3.org/2000/svg";

/** A QR code as SVG, built element by element (no markup string, no remote service). */
function qrCode(text: string): SVGSVGElement {
  const { data, size } = encode(text, { border: 2 });
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("width", "192");
  svg.setAttribute("height", "192");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "QR code for your authenticator app");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", data.flatMap((row, y) => row.map((dark, x) => (dark ? `M${x} ${y}h1v1h-1z` : ""))).join(""));
  svg.append(background, path);
  return svg;
}

/** The section; it asks the server whether two-factor authentication is on. */
export function twoFactorSection(): HTMLElement {
  const section = h("section", { "aria-labelledby": "two-factor-heading" });
  const heading = h("h2", { id: "two-factor-heading" }, "Two-factor authentication");
  const show = (...children: (Node | string)[]) => section.replaceChildren(heading, ...children);

  const offered = () =>
    show(
      h("p", {}, "Off: the password alone logs in. Turn it on to also ask for a code from an authenticator app."),
      h("button", { type: "button", onclick: askPassword }, "Turn on two-factor authentication"),
    );

  function askPassword() {
    const password = h("input", { type: "password", autocomplete: "current-password", required: true });
    show(
      h(
        "form",
        {
          onsubmit: async (event: Event) => {
            event.preventDefault();
            try {
              const { secret, otpauth_uri } = await client.mfa.start(inputValue(password));
              say("");
              scan(secret, otpauth_uri);
            } catch (error) {
              say(`Not started: ${(error as Error).message}`, "error");
            }
          },
        },
        h("p", {}, "Enter your password to continue."),
        ...field("Password", password),
        h("button", { type: "submit" }, "Continue"),
      ),
    );
  }

  function scan(secret: string, otpauthUri: string) {
    const code = h("input", {
      type: "text",
      inputmode: "numeric",
      pattern: "[0-9]{6}",
      maxlength: 6,
      autocomplete: "one-time-code",
      required: true,
    });
    show(
      h("p", {}, "Scan this QR code with your authenticator app, or type the secret into it:"),
      qrCode(otpauthUri),
      h("p", {}, "Secret: ", h("code", { class: "totp-secret" }, secret)),
      h(
        "form",
        {
          onsubmit: async (event: Event) => {
            event.preventDefault();
            try {
              const codes = await client.mfa.confirm(inputValue(code).trim());
              say("Two-factor authentication is on");
              showCodes(codes);
            } catch (error) {
              say(`Not turned on: ${(error as Error).message}`, "error");
            }
          },
        },
        ...field("Authentication code", code),
        h("button", { type: "submit" }, "Confirm"),
      ),
    );
  }

  function showCodes(codes: string[]) {
    const text = `${codes.join("\n")}\n`;
    show(
      h(
        "p",
        {},
        "Your recovery codes: each logs in once without the app (a lost phone). Keep them somewhere safe; they are shown only now.",
      ),
      h(
        "ul",
        { "aria-label": "Recovery codes", class: "recovery-codes" },
        ...codes.map((c) => h("li", {}, h("code", {}, c))),
      ),
      h(
        "div",
        { class: "toolbar" },
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              await navigator.clipboard?.writeText(text).catch(() => undefined);
              say("Recovery codes copied");
            },
          },
          "Copy",
        ),
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              const link = document.createElement("a");
              link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
              link.download = "chirpy-recovery-codes.txt";
              link.click();
              URL.revokeObjectURL(link.href);
            },
          },
          "Download",
        ),
        h("button", { type: "button", onclick: () => enabled() }, "Done"),
      ),
    );
  }

  function enabled() {
    const code = h("input", { type: "text", autocomplete: "one-time-code", required: true });
    show(
      h("p", {}, "On: logging in with the password also asks for a code from your authenticator app."),
      h(
        "form",
        {
          onsubmit: async (event: Event) => {
            event.preventDefault();
            try {
              await client.mfa.turnOff(inputValue(code).trim());
              say("Two-factor authentication is off");
              offered();
            } catch (error) {
              say(`Not turned off: ${(error as Error).message}`, "error");
            }
          },
        },
        ...field("Authentication code or recovery code", code),
        h("button", { type: "submit" }, "Turn off two-factor authentication"),
      ),
    );
  }

  show(h("p", { class: "meta" }, "Loading…"));
  client.rpc.GET("/api/users/me").then(({ data }) => (data?.totp ? enabled() : offered()));
  return section;
}
