import type { ReactNode } from "react";
import type { ReviewView } from "../bindings/ReviewView";
import type { SafetySummary } from "../bindings/SafetySummary";
import type { Section } from "../bindings/Section";
import { formatBytes, formatInstant, formatPartialDate } from "../format";
import { plural, SECTION_LABEL, SECTIONS } from "./text";

/** `danger`: unsafe or blocked; `warn`: needs action; `info`: worth knowing. */
export type Level = "danger" | "warn" | "info";

export interface SafetyFact {
  id: string;
  level: Level;
  count: number;
  /** The fact in words, count included ("2 repeats to re-authorise"). */
  text: string;
  /** More words, after the count. */
  detail: string | null;
  section: Section | null;
}

/** The safety summary as a list of facts, the unsafe first; zero counts are left out. */
export function safetyFacts(s: SafetySummary): SafetyFact[] {
  const facts: SafetyFact[] = [];
  const add = (f: SafetyFact) => {
    if (f.count > 0) facts.push(f);
  };
  const errors = s.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = s.diagnostics.filter((d) => d.severity === "warning").length;
  add({
    id: "degraded-drug-allergies",
    level: "danger",
    count: s.degradedDrugAllergies,
    text: plural(s.degradedDrugAllergies, "degraded drug allergy", "degraded drug allergies"),
    detail: "prescribing blocked until recoded",
    section: "allergies",
  });
  add({
    id: "read-errors",
    level: "danger",
    count: errors,
    text: plural(errors, "reader error", "reader errors"),
    detail: "parts of the message could not be read",
    section: null,
  });
  add({
    id: "repeats",
    level: s.repeatsReauthorised >= s.repeatsToReauthorise ? "info" : "warn",
    count: s.repeatsToReauthorise,
    text: plural(s.repeatsToReauthorise, "repeat to re-authorise", "repeats to re-authorise"),
    detail: `${s.repeatsReauthorised} already marked`,
    section: "medications",
  });
  add({
    id: "possible-allergies",
    level: "warn",
    count: s.possibleAllergies,
    text: plural(s.possibleAllergies, "possible allergy", "possible allergies"),
    detail: null,
    section: "allergies",
  });
  add({
    id: "degraded-medications",
    level: "warn",
    count: s.degradedMedications,
    text: plural(s.degradedMedications, "degraded medication", "degraded medications"),
    detail: "flagged for recoding",
    section: "medications",
  });
  add({
    id: "degraded-codes",
    level: "warn",
    count: s.degradedCodes,
    text: plural(s.degradedCodes, "degraded code", "degraded codes"),
    detail: null,
    section: "degraded",
  });
  const chase = s.missingAttachments.filter((m) => m.fromThisTransfer).reduce((n, m) => n + m.count, 0);
  const earlier = s.missingAttachments.filter((m) => !m.fromThisTransfer).reduce((n, m) => n + m.count, 0);
  add({
    id: "missing-chase",
    level: "warn",
    count: chase,
    text: plural(chase, "missing attachment", "missing attachments"),
    detail: "from this transfer (chase)",
    section: "attachments",
  });
  add({
    id: "missing-earlier",
    level: "info",
    count: earlier,
    text: plural(earlier, "missing attachment", "missing attachments"),
    detail: "from an earlier transfer",
    section: "attachments",
  });
  add({
    id: "read-warnings",
    level: "warn",
    count: warnings,
    text: plural(warnings, "reader warning", "reader warnings"),
    detail: null,
    section: null,
  });
  add({
    id: "nopat",
    level: "info",
    count: s.nopat,
    text: plural(s.nopat, "NOPAT entry", "NOPAT entries"),
    detail: "not visible to the patient online",
    section: null,
  });
  return facts;
}

/** The compact safety strip, always visible above the tabs. */
export function SafetyStrip({ summary, onGo }: { summary: SafetySummary; onGo: (tab: Section) => void }) {
  const facts = safetyFacts(summary);
  return (
    <section className="rv-strip" aria-label="Safety summary" data-testid="safety-strip">
      <span className="rv-strip-label">Safety</span>
      {facts.length === 0 ? (
        <span className="rv-strip-none">Nothing unsafe found in this record.</span>
      ) : (
        <ul>
          {facts.map((f) => {
            const words = `${f.text}${f.detail ? ` — ${f.detail}` : ""}`;
            const section = f.section;
            return (
              <li key={f.id} className={`rv-chip rv-chip-${f.level}`} data-testid={`strip-${f.id}`}>
                {section ? (
                  <button
                    type="button"
                    onClick={() => onGo(section)}
                    title={`Go to ${SECTION_LABEL[section]}`}
                  >
                    {words}
                  </button>
                ) : (
                  <span>{words}</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Count({
  n,
  section,
  onGo,
  label,
  testId,
}: {
  n: number;
  section: Section | null;
  onGo: (s: Section) => void;
  label: string;
  testId: string;
}) {
  if (n === 0) {
    return (
      <span className="rv-count rv-count-zero" data-testid={testId}>
        None
      </span>
    );
  }
  if (!section) {
    return (
      <span className="rv-count" data-testid={testId}>
        {n}
      </span>
    );
  }
  return (
    <button
      type="button"
      className="rv-count rv-count-link"
      onClick={() => onGo(section)}
      aria-label={`${n} ${label}: go to ${SECTION_LABEL[section]}`}
      data-testid={testId}
    >
      {n}
    </button>
  );
}

/** The Summary tab: what integration will do and what is unsafe, progress, and the record's facts. */
export function SummaryTab({ view, onGo }: { view: ReviewView; onGo: (s: Section) => void }) {
  const s = view.summary;
  const t = view.transfer;
  const r = view.registration;
  const c = t.counts;
  const chase = s.missingAttachments.filter((m) => m.fromThisTransfer);
  const earlier = s.missingAttachments.filter((m) => !m.fromThisTransfer);
  const errors = s.diagnostics.filter((d) => d.severity === "error");
  const warnings = s.diagnostics.filter((d) => d.severity !== "error");
  const row = (
    id: string,
    level: Level,
    label: string,
    n: number,
    section: Section | null,
    explain: ReactNode,
  ) => (
    <tr className={n > 0 ? `rv-srow rv-srow-${level}` : "rv-srow"} data-testid={`summary-${id}`}>
      <th scope="row">{label}</th>
      <td className="rv-srow-count">
        <Count
          n={n}
          section={section}
          onGo={onGo}
          label={label.toLowerCase()}
          testId={`summary-count-${id}`}
        />
      </td>
      <td>{explain}</td>
    </tr>
  );
  return (
    <div className="rv-summary">
      <section className="rv-card" aria-labelledby="rv-safety-title">
        <h2 id="rv-safety-title">Safety summary</h2>
        <table className="rv-safety-table">
          <tbody>
            {row(
              "repeats",
              s.repeatsReauthorised >= s.repeatsToReauthorise ? "info" : "warn",
              "Repeats to re-authorise",
              s.repeatsToReauthorise,
              "medications",
              <>
                {s.repeatsToReauthorise > 0 && (
                  <strong>
                    {s.repeatsReauthorised} of {s.repeatsToReauthorise} already marked.{" "}
                  </strong>
                )}
                Integration stops active repeats until a prescriber re-authorises them.
              </>,
            )}
            {row(
              "degraded-drug-allergies",
              "danger",
              "Degraded drug allergies",
              s.degradedDrugAllergies,
              "allergies",
              s.degradedDrugAllergies > 0 ? (
                <strong>Prescribing blocked until recoded.</strong>
              ) : (
                "Drug allergies whose code did not survive the transfer block prescribing."
              ),
            )}
            {row(
              "possible-allergies",
              "warn",
              "Possible allergies",
              s.possibleAllergies,
              "allergies",
              "Reactions recorded as possible: confirm or refute.",
            )}
            {row(
              "degraded-medications",
              "warn",
              "Degraded medications",
              s.degradedMedications,
              "medications",
              "Current medications whose code did not survive the transfer: flagged for recoding.",
            )}
            {row(
              "degraded-codes",
              "warn",
              "Degraded codes",
              s.degradedCodes,
              "degraded",
              "Entries sent with a placeholder code: what the sender meant is shown with each.",
            )}
            {row(
              "missing-attachments",
              "warn",
              "Missing attachments",
              s.missingAttachments.reduce((n, m) => n + m.count, 0),
              "attachments",
              s.missingAttachments.length === 0 ? (
                "Every document arrived."
              ) : (
                <div className="rv-missing-groups">
                  {chase.length > 0 && (
                    <div data-testid="missing-chase">
                      <strong>From this transfer (chase):</strong>
                      <ul>
                        {chase.map((m) => (
                          <li key={`${m.reasonCode}:${m.reason}`}>
                            {m.count} · {m.reason}
                            {m.reasonCode && <span className="sub"> (code {m.reasonCode})</span>}
                          </li>
                        ))}
                      </ul>
                    </div>
                  )}
                  {earlier.length > 0 && (
                    <div data-testid="missing-earlier">
                      <strong>From an earlier transfer:</strong>
                      <ul>
                        {earlier.map((m) => (
                          <li key={`${m.reasonCode}:${m.reason}`}>
                            {m.count} · {m.reason}
                            {m.reasonCode && <span className="sub"> (code {m.reasonCode})</span>}
                          </li>
                        ))}
                      </ul>
                    </div>
                  )}
                </div>
              ),
            )}
            {row(
              "nopat",
              "info",
              "Not visible online (NOPAT)",
              s.nopat,
              null,
              "Entries the sender marked as not to be shown to the patient online.",
            )}
            {row(
              "diagnostics",
              errors.length > 0 ? "danger" : "warn",
              "Reader diagnostics",
              s.diagnostics.length,
              null,
              s.diagnostics.length === 0 ? (
                "The message was read without problems."
              ) : (
                <ul className="rv-diagnostics">
                  {[...errors, ...warnings].map((d, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no id and may repeat
                    <li key={i} className={`rv-diag rv-diag-${d.severity}`}>
                      <strong>{d.severity === "error" ? "Error" : "Warning"}:</strong> {d.message}
                    </li>
                  ))}
                </ul>
              ),
            )}
          </tbody>
        </table>
      </section>

      <div className="rv-summary-side">
        <section className="rv-card" aria-labelledby="rv-progress-title">
          <h2 id="rv-progress-title">Review progress</h2>
          <ul className="rv-progress-list">
            {SECTIONS.map((section) => {
              const p = view.sections.find((x) => x.section === section);
              if (!p) return null;
              return (
                <li key={section}>
                  <button type="button" className="link" onClick={() => onGo(section)}>
                    {SECTION_LABEL[section]}
                  </button>
                  <span className={p.complete ? "rv-progress-text rv-done" : "rv-progress-text"}>
                    {p.seen} of {p.total}
                    {p.complete ? " ✓" : ""}
                    {p.flagged > 0 && ` · ${p.flagged} flagged`}
                  </span>
                  <ProgressBar seen={p.seen} total={p.total} />
                </li>
              );
            })}
          </ul>
        </section>

        <section className="rv-card" aria-labelledby="rv-record-title">
          <h2 id="rv-record-title">Record</h2>
          <dl className="rv-facts">
            <dt>Sending practice</dt>
            <dd>{t.sendingOds ?? "Not given"}</dd>
            <dt>Sent</dt>
            <dd>{t.sentAt ? formatPartialDate(t.sentAt) : "Not given"}</dd>
            <dt>Received</dt>
            <dd>{formatInstant(t.receivedAt)}</dd>
            <dt>File</dt>
            <dd className="rv-break">
              {t.fileName} · {formatBytes(t.sizeBytes)}
            </dd>
            <dt>Extract</dt>
            <dd className="rv-break">{t.extractId ?? "Not given"}</dd>
            <dt>Holds</dt>
            <dd>
              {plural(c.compositions, "consultation", "consultations")},{" "}
              {plural(c.medicationCourses, "medication", "medications")},{" "}
              {plural(c.allergies, "allergy", "allergies")}, {plural(c.problems, "problem", "problems")},{" "}
              {plural(c.documents, "document", "documents")}
            </dd>
          </dl>
        </section>

        <section className="rv-card" aria-labelledby="rv-registration-title">
          <h2 id="rv-registration-title">Registration here</h2>
          {r ? (
            <dl className="rv-facts">
              <dt>Address</dt>
              <dd>
                {r.address}
                {r.postcode && `, ${r.postcode}`}
              </dd>
              <dt>Registered</dt>
              <dd>{r.registeredOn ? formatPartialDate(r.registeredOn) : "Date not recorded"}</dd>
              {r.practiceOds && (
                <>
                  <dt>Practice</dt>
                  <dd>{r.practiceOds}</dd>
                </>
              )}
            </dl>
          ) : (
            <p className="muted">No patient registered at this practice has this NHS number.</p>
          )}
        </section>
      </div>
    </div>
  );
}

export function ProgressBar({ seen, total }: { seen: number; total: number }) {
  const pct = total === 0 ? 100 : Math.round((seen / total) * 100);
  return (
    <span className="rv-bar" aria-hidden="true">
      <span
        className={pct === 100 ? "rv-bar-fill rv-bar-done" : "rv-bar-fill"}
        style={{ width: `${pct}%` }}
      />
    </span>
  );
}
