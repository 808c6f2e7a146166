// Searching, filtering and sorting the inbox. Built for 10,000 transfers: everything that depends only
// on a transfer (its name, digits, countdown day) is worked out once per snapshot and minute, so a
// keystroke in the search box only filters and sorts.
import type { TransferRow } from "../bindings/TransferRow";
import type { TransferStatus } from "../bindings/TransferStatus";
import { countdown } from "../format";

export type Show = "open" | "overdue" | "ready" | "awaitingAttachments" | "incomplete" | "decided" | "all";
export type Order = "due" | "received" | "name";

const DECIDED: ReadonlySet<TransferStatus> = new Set<TransferStatus>([
  "integrated",
  "rejected",
  "suppressed",
]);

/** Integrated, rejected or suppressed: nothing more to do, and no countdown. */
export function isDecided(t: TransferRow): boolean {
  return DECIDED.has(t.status);
}

/** A transfer with what searching and sorting need, worked out once. */
export interface Indexed {
  t: TransferRow;
  /** `family given`, lower case; empty when nobody is registered under the NHS number. */
  name: string;
  /** The NHS number's digits. */
  digits: string;
  /** Days since it was sent; -1 when unknown, -2 once decided (they sort last). */
  day: number;
}

export function indexTransfers(all: readonly TransferRow[], now: Date): Indexed[] {
  return all.map((t) => ({
    t,
    name: t.patient ? `${t.patient.familyName} ${t.patient.givenName}`.toLowerCase() : "",
    digits: (t.nhsNumber ?? "").replace(/\D/g, ""),
    day: isDecided(t) ? -2 : (countdown(t.sentUtc, now)?.day ?? -1),
  }));
}

/**
 * What the search box asks for: digits (spaces ignored) search NHS numbers; anything else searches
 * names, every word matching the family or given name.
 */
function matcher(query: string): (x: Indexed) => boolean {
  const q = query.trim().toLowerCase();
  if (q === "") return () => true;
  const compact = q.replace(/\s/g, "");
  if (/^\d+$/.test(compact)) return (x) => x.digits.includes(compact);
  const words = q.split(/[\s,]+/).filter((w) => w !== "");
  return (x) => x.name !== "" && words.every((w) => x.name.includes(w));
}

function shown(show: Show): (x: Indexed) => boolean {
  switch (show) {
    case "all":
      return () => true;
    case "open":
      return (x) => !isDecided(x.t);
    case "decided":
      return (x) => isDecided(x.t);
    case "overdue":
      return (x) => x.day > 8;
    default:
      return (x) => x.t.status === show;
  }
}

const collator = new Intl.Collator("en-GB", { sensitivity: "base" });

function byReceived(a: Indexed, b: Indexed): number {
  if (a.t.receivedAt !== b.t.receivedAt) return a.t.receivedAt < b.t.receivedAt ? 1 : -1;
  return b.t.id - a.t.id;
}

function comparator(order: Order): (a: Indexed, b: Indexed) => number {
  switch (order) {
    case "due":
      return (a, b) => b.day - a.day || byReceived(a, b);
    case "name":
      return (a, b) => {
        if (a.name === "" || b.name === "")
          return (a.name === "" ? 1 : 0) - (b.name === "" ? 1 : 0) || byReceived(a, b);
        return collator.compare(a.name, b.name) || byReceived(a, b);
      };
    case "received":
      return byReceived;
  }
}

/** The rows to list: searched, filtered and sorted as the practice asked. */
export function filterSort(
  index: readonly Indexed[],
  query: string,
  show: Show,
  order: Order,
): TransferRow[] {
  const match = matcher(query);
  const keep = shown(show);
  return index
    .filter((x) => keep(x) && match(x))
    .sort(comparator(order))
    .map((x) => x.t);
}

/** {@link filterSort} straight from the transfers. */
export function arrange(
  all: readonly TransferRow[],
  query: string,
  show: Show,
  order: Order,
  now: Date,
): TransferRow[] {
  return filterSort(indexTransfers(all, now), query, show, order);
}
