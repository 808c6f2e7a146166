// Words the review screen shows: labels, the acknowledgement line, the decision made.
import type { AckPreview } from "../bindings/AckPreview";
import type { DecisionView } from "../bindings/DecisionView";
import type { ReasonOption } from "../bindings/ReasonOption";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { Section } from "../bindings/Section";
import type { TransferRow } from "../bindings/TransferRow";
import { formatInstant } from "../format";

export const SECTIONS: readonly Section[] = ["medications", "allergies", "degraded", "attachments"];

export const SECTION_LABEL: Record<Section, string> = {
  medications: "Medications",
  allergies: "Allergies",
  degraded: "Degraded codes",
  attachments: "Attachments",
};

export const SEX_LABEL: Record<string, string> = {
  female: "Female",
  male: "Male",
  other: "Other",
  unknown: "Not known",
};

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Whole years from a `YYYY-MM-DD` date of birth to `now`; null when the date is not whole. */
export function ageOn(dateOfBirth: string, now: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(dateOfBirth);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = now.getFullYear() - y;
  if (now.getMonth() + 1 < mo || (now.getMonth() + 1 === mo && now.getDate() < d)) age -= 1;
  return age >= 0 ? age : null;
}

export function statusLabel(t: TransferRow): string {
  switch (t.status) {
    case "ready":
      return "Ready for review";
    case "awaitingAttachments":
      return `Awaiting attachments (${t.partsMissing} of ${t.partsExpected} to come)`;
    case "incomplete":
      return `Incomplete${t.failureCode ? ` · code ${t.failureCode}` : ""}`;
    case "integrated":
      return "Integrated";
    case "rejected":
      return "Rejected";
    case "suppressed":
      return "Stored suppressed";
  }
}

/** A transfer status in words, for a sentence ("integrated", "awaiting attachments"). */
export const STATUS_WORDS: Record<TransferRow["status"], string> = {
  ready: "ready for review",
  awaitingAttachments: "awaiting attachments",
  incomplete: "incomplete",
  integrated: "integrated",
  rejected: "rejected",
  suppressed: "stored suppressed",
};

const CODE_SYSTEMS: Record<string, string> = {
  "2.16.840.1.113883.2.1.3.2.4.15": "SNOMED CT",
  "2.16.840.1.113883.2.1.6.2": "Read v2",
  "2.16.840.1.113883.2.1.3.2.4.14": "CTV3",
  "2.16.840.1.113883.2.1.6.3": "EMIS local code",
};

/** A code system OID in words (`SNOMED CT`), or the OID itself when unknown. */
export function codeSystemName(oid: string | null): string | null {
  if (!oid) return null;
  return CODE_SYSTEMS[oid.trim()] ?? oid;
}

/**
 * The acknowledgement a choice will send, in one line:
 * `AE 28 — Non A-B-A … · to ODS SYN123 · refers to extract <ref>`, or `AA (positive) · …`.
 * For a rejection, `reason` (the one chosen) replaces the preview's first reason.
 */
export function ackLine(ack: AckPreview, reason?: ReasonOption | null): string {
  const code = reason ? reason.code : ack.code;
  const text = reason ? reason.text : ack.text;
  const head =
    ack.ackType === "AA"
      ? "AA (positive)"
      : `${ack.ackType}${code ? ` ${code}` : ""}${text ? ` — ${text}` : ""}`;
  const to = ack.toOds ? `to ODS ${ack.toOds}` : "to the sending practice (no ODS code given)";
  return `${head} · ${to} · refers to extract ${ack.messageRef || "(no extract id)"}`;
}

const DECIDED_WORDS: Record<DecisionView["kind"], string> = {
  integrate: "Integrated",
  integrateSuppressOld: "Integrated (old record suppressed)",
  storeSuppressed: "Stored suppressed",
  reject: "Rejected",
  defer: "Deferred",
};

/** `Integrated by Dr X on 21-Nov-2026 14:03` / `Rejected (28 — …) by …`. */
export function decidedLine(d: DecisionView): string {
  const reason = d.kind === "reject" && d.reasonCode ? d.reasonCode : null;
  const reasonText = reason ? d.reasonText : null;
  const what = `${DECIDED_WORDS[d.kind]}${reason ? ` (${reason}${reasonText ? ` — ${reasonText}` : ""})` : ""}`;
  const who = d.decidedBy === "system" ? "automatically by the system" : `by ${d.decidedBy}`;
  return `${what} ${who} on ${formatInstant(d.decidedAt)}`;
}

/** The words that name an item in a dialog or a message. */
export function itemTitle(item: ReviewItem): string {
  const b = item.body;
  switch (b.type) {
    case "medication":
      return b.drug;
    case "allergy":
      return b.degraded && b.originalTerm ? b.originalTerm : b.term;
    case "degraded":
      return b.originalTerm ?? b.entryTerm ?? b.kindLabel;
    case "attachment":
      return b.title;
  }
}

/** A degraded entry a clinician may propose a recode for. */
export function recodable(item: ReviewItem): boolean {
  const b = item.body;
  return b.type === "degraded" || ((b.type === "allergy" || b.type === "medication") && b.degraded);
}

export function markedBy(by: string, at: string): string {
  return `${by} · ${formatInstant(at)}`;
}
