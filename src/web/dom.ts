// The web app's DOM helpers: elements from tags (never from HTML strings: every text goes in as
// text), labelled fields, and the status line.

type Child = Node | string | null | false;

/** An element with attributes (on* are listeners) and children. */
export function h(tag: string, attributes: Record<string, unknown> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

let nextId = 0;
/** A labelled field: the label's text is the field's accessible name. */
export function field(label: string, control: HTMLElement): HTMLElement[] {
  const id = `field-${nextId++}`;
  control.id = id;
  return [h("label", { for: id }, label), control];
}

/** An input's current value. */
export const inputValue = (input: HTMLElement) => (input as HTMLInputElement).value;

const main = document.getElementById("main") as HTMLElement;
const cleanups: (() => void)[] = [];

/** Shows a view: what the last one left running (a pending passkey request) is stopped first. */
export function render(...nodes: (Node | string)[]) {
  for (const cleanup of cleanups.splice(0)) cleanup();
  main.replaceChildren(...nodes);
}

/** Runs `cleanup` when the view now shown is replaced. */
export const whenLeft = (cleanup: () => void) => {
  cleanups.push(cleanup);
};
// Two lines in one fixed place under the header: successes in a status region (read politely),
// failures in an alert (read at once, and styled as an error). Saying one clears the other.
const statusLine = document.getElementById("status") as HTMLElement;
const alertLine = document.getElementById("alert") as HTMLElement;

export type SayKind = "info" | "error";

/** Says how the last action went: `role="status"`, or `role="alert"` when it failed. */
export function say(message: string, kind: SayKind = "info") {
  const [shown, cleared] = kind === "error" ? [alertLine, statusLine] : [statusLine, alertLine];
  cleared.textContent = "";
  shown.textContent = message;
}

/** Says why the server refused an action: the error's own message, after what was tried. */
export const sayRefused = (what: string, error: { error: string } | undefined) =>
  say(`${what}: ${error?.error ?? "the server could not be reached"}`, "error");
