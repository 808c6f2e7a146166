import { useId, useState } from "react";
import { toBackendError } from "../backend/backend";
import type { DecisionKind } from "../bindings/DecisionKind";
import type { DecisionRequest } from "../bindings/DecisionRequest";
import type { DecisionView } from "../bindings/DecisionView";
import type { ReviewView } from "../bindings/ReviewView";
import { Dialog } from "./Dialog";
import { ackLine, decidedLine, SECTION_LABEL } from "./text";

/** The decision made, in one banner: green for integrated, red for rejected. */
export function DecidedBanner({ decided, outboxDir }: { decided: DecisionView; outboxDir: string }) {
  const tone =
    decided.kind === "integrate" || decided.kind === "integrateSuppressOld"
      ? "done"
      : decided.kind === "reject"
        ? "danger"
        : "neutral";
  const ack = decided.ack;
  return (
    <div className={`rv-decided rv-decided-${tone}`} data-testid="decision-made" role="status">
      <strong>{decidedLine(decided)}</strong>
      {" · "}
      {ack ? (
        <>
          {ack.ackType}
          {ack.reasonCode ? ` ${ack.reasonCode}` : ""} acknowledgement written to the outbox:{" "}
          <code className="rv-break" title={`${outboxDir}/${ack.file}`}>
            {ack.file}
          </code>
        </>
      ) : (
        "no acknowledgement is recorded for it"
      )}
      {decided.suppressedTransferId !== null && (
        <span className="rv-decided-extra">
          {" "}
          · the earlier record (transfer {decided.suppressedTransferId}) is suppressed
        </span>
      )}
      {decided.note && <span className="rv-decided-extra"> · Note: {decided.note}</span>}
    </div>
  );
}

/** The sticky footer: progress, why a decision cannot be made yet, and the Decide button. */
export function DecisionBar({
  view,
  deferred,
  onDecide,
}: {
  view: ReviewView;
  deferred: boolean;
  onDecide: () => void;
}) {
  const d = view.decision;
  const done = view.sections.filter((s) => s.complete).length;
  const waiting = view.sections.filter((s) => !s.complete).map((s) => SECTION_LABEL[s.section]);
  const disabled = d.whyNot !== null || d.options.length === 0;
  const whyDisabled =
    d.whyNot ?? (d.options.length === 0 ? "There is nothing to decide for this record." : null);
  return (
    <div className="rv-footer" data-testid="decision-bar">
      {d.decided ? (
        <DecidedBanner decided={d.decided} outboxDir={d.outboxDir} />
      ) : (
        <div className="rv-footer-row">
          <div className="rv-footer-progress" data-testid="sections-reviewed">
            <strong>
              {done} of {view.sections.length} sections reviewed
            </strong>
            {waiting.length > 0 && <span className="muted"> · still to review: {waiting.join(", ")}</span>}
            <p className="rv-keys" data-testid="review-keys">
              Keys: <kbd>j</kbd> <kbd>k</kbd> move · <kbd>Space</kbd> mark reviewed · <kbd>f</kbd> flag ·{" "}
              <kbd>1</kbd>–<kbd>4</kbd> sections · <kbd>Esc</kbd> back to inbox
            </p>
            {deferred && (
              <div className="rv-deferred" role="status">
                Decision deferred: nothing was sent and the 8-day clock keeps running.
              </div>
            )}
          </div>
          {whyDisabled && (
            <p className="rv-why-not" data-testid="decision-why-not">
              {whyDisabled}
            </p>
          )}
          <button type="button" className="rv-decide" disabled={disabled} onClick={onDecide}>
            Decide…
          </button>
        </div>
      )}
    </div>
  );
}

/** The decision dialog: the choices, the reason for a rejection, and the acknowledgement that will be sent. */
export function DecisionDialog({
  view,
  onClose,
  onDecide,
}: {
  view: ReviewView;
  onClose: () => void;
  /** Makes the decision; rejects with the core's error. */
  onDecide: (request: DecisionRequest) => Promise<void>;
}) {
  const ids = useId();
  const options = view.decision.options;
  const [kind, setKind] = useState<DecisionKind | null>(null);
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const option = options.find((o) => o.kind === kind) ?? null;
  const chosenReason = option?.reasons.find((r) => r.code === reason) ?? null;
  const isReject = option?.kind === "reject";
  const valid = (option?.enabled ?? false) && (!isReject || chosenReason !== null);

  function choose(k: DecisionKind) {
    setKind(k);
    const o = options.find((x) => x.kind === k);
    const only = o?.reasons.length === 1 ? o.reasons[0] : undefined;
    setReason(o?.kind === "reject" && only ? only.code : "");
    setError(null);
  }

  async function confirm() {
    if (!option || !valid) return;
    setBusy(true);
    setError(null);
    try {
      await onDecide({
        transferId: view.transfer.id,
        kind: option.kind,
        reasonCode: isReject ? reason : null,
        note: note.trim() === "" ? null : note.trim(),
      });
    } catch (e) {
      const err = toBackendError(e);
      // conflict (decided elsewhere, sections not reviewed), forbidden (role), invalid_input: the
      // core's words say what to do; anything else too.
      setError(err.message);
      setBusy(false);
    }
  }

  let preview: string;
  if (!option) preview = "Choose what to do with this record.";
  else if (!option.ack) preview = "Nothing is sent to the sending practice.";
  else if (isReject && !chosenReason)
    preview = ackLine({ ...option.ack, code: null, text: "choose a reason" });
  else preview = ackLine(option.ack, isReject ? chosenReason : null);

  return (
    <Dialog title="Decision" onClose={onClose} testId="decision-dialog" size="medium">
      <form
        className="rv-decision-form"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        <fieldset>
          <legend className="visually-hidden">What to do with this record</legend>
          {options.map((o) => {
            const id = `${ids}-${o.kind}`;
            return (
              <div key={o.kind} className={o.enabled ? "rv-option" : "rv-option rv-option-disabled"}>
                <input
                  type="radio"
                  name={`${ids}-kind`}
                  id={id}
                  value={o.kind}
                  checked={kind === o.kind}
                  disabled={!o.enabled}
                  onChange={() => choose(o.kind)}
                  aria-describedby={`${id}-desc${o.whyNot ? ` ${id}-why` : ""}`}
                />
                <div>
                  <label htmlFor={id} className="rv-option-label">
                    {o.label}
                  </label>
                  <p id={`${id}-desc`} className="rv-option-desc">
                    {o.description}
                  </p>
                  {o.whyNot && (
                    <p id={`${id}-why`} className="rv-option-why">
                      {o.whyNot}
                    </p>
                  )}
                  {o.kind === "reject" && kind === "reject" && (
                    <div className="rv-field">
                      <label htmlFor={`${ids}-reason`} className="field-label">
                        Reason
                      </label>
                      <select
                        id={`${ids}-reason`}
                        value={reason}
                        required
                        onChange={(e) => setReason(e.target.value)}
                      >
                        {o.reasons.length !== 1 && (
                          <option value="" disabled>
                            Choose a reason…
                          </option>
                        )}
                        {o.reasons.map((r) => (
                          <option key={r.code} value={r.code}>
                            {r.code} — {r.text}
                          </option>
                        ))}
                      </select>
                    </div>
                  )}
                </div>
              </div>
            );
          })}
        </fieldset>

        <div className="rv-ack" data-testid="ack-preview">
          <div className="rv-ack-label">The acknowledgement that will be sent</div>
          <p className="rv-ack-line">{preview}</p>
          {option?.ack && (
            <p className="rv-ack-where">
              written to <code>{view.decision.outboxDir}</code>
            </p>
          )}
        </div>

        <div className="rv-field">
          <label htmlFor={`${ids}-note`} className="field-label">
            Note (optional)
          </label>
          <textarea id={`${ids}-note`} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>

        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}

        <div className="rv-dialog-actions">
          <button type="submit" className="rv-btn rv-btn-confirm" disabled={!valid || busy}>
            {option?.kind === "defer" ? "Decide later" : "Send acknowledgement"}
          </button>
          <button type="button" className="rv-btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
