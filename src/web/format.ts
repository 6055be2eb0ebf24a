// How the web app writes times and authors for people: "5 min ago" with the exact time on hover,
// and a stable pseudonym for an author the API names only by id (it never shares addresses).

import { h } from "./dom";

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
];

/** "just now", "5 minutes ago", "yesterday"…; past a week, the date. */
function relativeTime(iso: string, now = Date.now()): string {
  const then = new Date(iso).getTime();
  let amount = (then - now) / 1000;
  if (Math.abs(amount) < 45) return "just now";
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return dateOnly.format(then);
}

/** A <time> element: the relative time, the exact one on hover and for machines. */
export const timeOf = (iso: string): HTMLElement =>
  h("time", { datetime: iso, title: exact.format(new Date(iso)) }, relativeTime(iso));

const ADJECTIVES = [
  "Amber",
  "Bold",
  "Brisk",
  "Calm",
  "Clever",
  "Eager",
  "Gentle",
  "Happy",
  "Keen",
  "Lucky",
  "Merry",
  "Nimble",
  "Quiet",
  "Swift",
  "Witty",
  "Young",
];
const BIRDS = [
  "Finch",
  "Heron",
  "Robin",
  "Wren",
  "Swallow",
  "Lark",
  "Owl",
  "Kestrel",
  "Magpie",
  "Puffin",
  "Sparrow",
  "Starling",
  "Plover",
  "Tern",
  "Thrush",
  "Warbler",
];

/** "Quiet Heron 3f2a": the same for an author everywhere, from the id alone. */
export function pseudonymOf(userId: string): string {
  const hex = userId.replace(/-/g, "");
  const byte = (at: number) => Number.parseInt(hex.slice(at, at + 2), 16) || 0;
  return `${ADJECTIVES[byte(0) % 16]} ${BIRDS[byte(2) % 16]} ${hex.slice(-4)}`;
}
