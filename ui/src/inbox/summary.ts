// A transfer's contents and what needs attention, in a few words for the inbox list.
import type { TransferRow } from "../bindings/TransferRow";
import { plural } from "../format";
import { isDecided } from "./arrange";

/** What the record holds, in words ("12 medications (5 repeat) · 3 allergies · 4 degraded"). */
export function countsSummary(t: TransferRow): string {
  const c = t.counts;
  const parts = [
    `${plural(c.medicationCourses, "medication", "medications")}${c.repeatCourses > 0 ? ` (${c.repeatCourses} repeat)` : ""}`,
    plural(c.allergies, "allergy", "allergies"),
  ];
  if (c.degraded > 0) parts.push(`${c.degraded} degraded`);
  if (c.absentAttachments > 0)
    parts.push(plural(c.absentAttachments, "missing attachment", "missing attachments"));
  return parts.join(" · ");
}

/**
 * What the reviewer will have to look at ("5 repeats to re-authorise · 4 degraded · 2 missing
 * attachments"), or
 * `null` when nothing stands out.
 */
export function attentionSummary(t: TransferRow): string | null {
  if (isDecided(t)) return null;
  const c = t.counts;
  const parts: string[] = [];
  if (t.activeRepeats > 0) parts.push(`${plural(t.activeRepeats, "repeat", "repeats")} to re-authorise`);
  if (t.degradedDrugAllergies > 0)
    parts.push(plural(t.degradedDrugAllergies, "degraded drug allergy", "degraded drug allergies"));
  if (c.degraded > 0) parts.push(`${c.degraded} degraded`);
  if (c.absentAttachments > 0)
    parts.push(plural(c.absentAttachments, "missing attachment", "missing attachments"));
  if (t.readErrors > 0) parts.push(plural(t.readErrors, "read error", "read errors"));
  return parts.length > 0 ? parts.join(" · ") : null;
}
