// NHS display conventions: NHS number `943 476 5919`, dates `12-Mar-1957`, times 24-hour.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `9434765919` -> `943 476 5919`; anything that is not ten digits is shown as given. */
export function formatNhsNumber(nhs: string): string {
  const digits = nhs.replace(/\s/g, "");
  return /^\d{10}$/.test(digits) ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : nhs;
}

const pad = (n: number) => String(n).padStart(2, "0");

function dayMonthYear(year: number, month: number, day: number): string {
  return `${pad(day)}-${MONTHS[month - 1] ?? "???"}-${year}`;
}

/** An instant (RFC 3339) in the machine's local time: `12-Mar-2026 14:03`. */
export function formatInstant(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return `${dayMonthYear(d.getFullYear(), d.getMonth() + 1, d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A sender's local time without zone, at the precision it was given (`2020`, `2020-03`, `2020-03-25`,
 * `2020-03-25T11:03[:02]`): shown at that precision, never invented.
 */
export function formatPartialDate(iso: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2}))?)?)?)?/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, h, mi] = m;
  const year = Number(y);
  if (!mo) return String(year);
  if (!d) return `${MONTHS[Number(mo) - 1] ?? "???"}-${year}`;
  const date = dayMonthYear(year, Number(mo), Number(d));
  if (!h) return date;
  return `${date} ${h}:${mi ?? "00"}`;
}

/** A size in bytes for people: `812 bytes`, `27.4 KB`, `3.1 MB` (1 KB = 1024 bytes). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} ${n === 1 ? "byte" : "bytes"}`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Where a transfer stands against the 8-day integration window, counted from when it was sent. */
export interface Countdown {
  /** Whole days since it was sent (day 0 is the day it was sent). */
  day: number;
  /** `ok` under 3 days, `due` from 3 to 8, `overdue` after 8 (the NHS GP2GP measures). */
  level: "ok" | "due" | "overdue";
  text: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The countdown for a transfer sent at `sentUtc` (RFC 3339, or a bare date), seen at `now`. */
export function countdown(sentUtc: string | null, now: Date): Countdown | null {
  if (!sentUtc) return null;
  const sent = new Date(/^\d{4}-\d{2}-\d{2}$/.test(sentUtc) ? `${sentUtc}T00:00:00Z` : sentUtc);
  if (Number.isNaN(sent.getTime())) return null;
  const day = Math.max(0, Math.floor((now.getTime() - sent.getTime()) / DAY_MS));
  if (day > 8) return { day, level: "overdue", text: `Overdue: day ${day} of 8` };
  return { day, level: day < 3 ? "ok" : "due", text: `Day ${day} of 8` };
}

/** An instant (RFC 3339) in local time to the second, for the audit trail: `21-Nov-2026 14:03:05`. */
export function formatInstantSeconds(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return `${formatInstant(rfc3339)}:${pad(d.getSeconds())}`;
}

/** A count for people: `1,234`. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-GB");
}

/** `1 record`, `2 records`. */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const ROLE_LABELS: Record<string, string> = {
  administrator: "Administrator",
  clinician: "Clinician",
  prescriber: "Prescriber",
  trainer: "Trainer",
};

/** A role for people: `administrator` -> `Administrator` (unknown codes as given). */
export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

/** Roles for people: `Administrator · Clinician`. */
export function rolesLabel(roles: readonly string[]): string {
  return roles.map(roleLabel).join(" · ");
}
