import type { ReviewView } from "../bindings/ReviewView";
import { formatInstant, formatNhsNumber, formatPartialDate } from "../format";
import { ageOn, SEX_LABEL, STATUS_WORDS, statusLabel } from "./text";

const STATUS_TONE: Record<ReviewView["transfer"]["status"], string> = {
  ready: "ready",
  awaitingAttachments: "waiting",
  incomplete: "danger",
  integrated: "done",
  rejected: "danger",
  suppressed: "neutral",
};

/** The patient banner (NHS Common User Interface style): who the record is for, at a glance. */
export function PatientBanner({ view, onBack }: { view: ReviewView; onBack: () => void }) {
  const r = view.registration;
  const t = view.transfer;
  const dob = r?.dateOfBirth ?? null;
  const age = dob ? ageOn(dob, new Date()) : null;
  return (
    <section className="rv-banner" aria-label="Patient" data-testid="patient-banner">
      <div className="rv-banner-top">
        <div className="rv-banner-name" data-testid="patient-name">
          {r ? (
            <>
              <span className="rv-family">{r.familyName.toUpperCase()}</span>, {r.givenName}
            </>
          ) : (
            "Unknown patient — not registered here"
          )}
        </div>
        <div className="rv-banner-actions">
          <span className={`rv-status rv-status-${STATUS_TONE[t.status]}`} data-testid="record-status">
            {statusLabel(t)}
          </span>
          <button type="button" className="rv-back" onClick={onBack}>
            Back to inbox
          </button>
        </div>
      </div>
      <dl className="rv-banner-facts">
        <div>
          <dt>Born</dt>
          <dd>
            {dob ? formatPartialDate(dob) : "Not known"}
            {age !== null && ` (${age}y)`}
          </dd>
        </div>
        <div>
          <dt>Gender</dt>
          <dd>{r ? (SEX_LABEL[r.sex] ?? "Not known") : "Not known"}</dd>
        </div>
        <div>
          <dt>NHS No.</dt>
          <dd className="rv-banner-nhs" data-testid="patient-nhs-number">
            {t.nhsNumber ? formatNhsNumber(t.nhsNumber) : "Not given"}
            {t.nhsNumber && !t.nhsNumberValid && <span className="rv-banner-flag">fails its check</span>}
          </dd>
        </div>
        {r?.postcode && (
          <div>
            <dt>Postcode</dt>
            <dd>{r.postcode}</dd>
          </div>
        )}
        <div className="rv-banner-sep">
          <dt>From practice</dt>
          <dd>{t.sendingOds ?? "Not given"}</dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>{formatInstant(t.receivedAt)}</dd>
        </div>
      </dl>
    </section>
  );
}

/** Wrong-patient signs, directly under the banner. */
export function PatientWarnings({ view }: { view: ReviewView }) {
  const warnings = view.summary.patientWarnings;
  if (warnings.length === 0) return null;
  return (
    <div className="rv-warning" role="alert" data-testid="patient-warnings">
      <h2>Check this record is for this patient</h2>
      <ul>
        {warnings.map((w) => (
          <li key={`${w.kind}:${w.message}`} data-kind={w.kind}>
            {w.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A returning patient: an earlier record for this NHS number is held (the A-B-A choices apply). */
export function ReturningNotice({ view }: { view: ReviewView }) {
  const earlier = view.earlierRecords;
  if (earlier.length === 0) return null;
  const when = earlier.map((e) => `${formatInstant(e.receivedAt)}, ${STATUS_WORDS[e.status]}`).join("; ");
  return (
    <div className="rv-notice" data-testid="returning-patient">
      <strong>Returning patient:</strong> an earlier record for this NHS number is held (received {when}).
    </div>
  );
}
