import { useEffect, useId, useState } from "react";
import { toBackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { CodeSuggestion } from "../bindings/CodeSuggestion";
import type { ReviewItem } from "../bindings/ReviewItem";
import { Dialog } from "./Dialog";
import { codeSystemName, itemTitle } from "./text";

/** Runs `action`; shows the core's message when it fails, else closes. */
function useSubmit(action: () => Promise<void>, onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit() {
    setBusy(true);
    setError(null);
    try {
      await action();
      onDone();
    } catch (e) {
      setError(toBackendError(e).message);
      setBusy(false);
    }
  }
  return { busy, error, submit };
}

/** Flag an item: a note saying why is mandatory. */
export function FlagDialog({
  item,
  onFlag,
  onClose,
}: {
  item: ReviewItem;
  onFlag: (note: string) => Promise<void>;
  onClose: () => void;
}) {
  const id = useId();
  const [note, setNote] = useState(item.mark?.state === "flagged" ? (item.mark.note ?? "") : "");
  const { busy, error, submit } = useSubmit(() => onFlag(note.trim()), onClose);
  const empty = note.trim() === "";
  return (
    <Dialog title="Flag item" onClose={onClose} testId="flag-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!empty) void submit();
        }}
      >
        <p className="rv-dialog-subject">{itemTitle(item)}</p>
        <div className="rv-field">
          <label htmlFor={`${id}-note`} className="field-label">
            Why is it flagged?
          </label>
          <p className="hint" id={`${id}-hint`}>
            Required. The note goes with the item to the follow-up work after the decision.
          </p>
          <textarea
            id={`${id}-note`}
            rows={3}
            value={note}
            aria-describedby={`${id}-hint`}
            required
            onChange={(e) => setNote(e.target.value)}
          />
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="rv-dialog-actions">
          <button type="submit" className="rv-btn rv-btn-confirm" disabled={empty || busy}>
            Flag
          </button>
          <button type="button" className="rv-btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A SNOMED CT concept id: 6 to 18 digits, not starting with 0 (as the core checks). */
export function isSctid(code: string): boolean {
  return /^[1-9]\d{5,17}$/.test(code);
}

/** Propose a SNOMED CT code and term for a degraded entry, helped by codes the practice already uses. */
export function RecodeDialog({
  item,
  onRecode,
  onClose,
}: {
  item: ReviewItem;
  onRecode: (code: string, term: string) => Promise<void>;
  onClose: () => void;
}) {
  const backend = useBackend();
  const id = useId();
  const existing = item.intentions.find((i) => i.kind === "recode");
  const [code, setCode] = useState(existing?.code ?? "");
  const [term, setTerm] = useState(existing?.term ?? "");
  const [query, setQuery] = useState("");
  const [suggestions, setSuggestions] = useState<CodeSuggestion[]>([]);
  const { busy, error, submit } = useSubmit(() => onRecode(code.trim(), term.trim()), onClose);

  // Suggestions follow what is typed in the term, a moment after typing stops.
  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setSuggestions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      backend
        .codeSuggestions(q)
        .then((s) => live && setSuggestions(s))
        .catch(() => live && setSuggestions([]));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [backend, query]);

  const b = item.body;
  const original =
    b.type === "degraded"
      ? { term: b.originalTerm, code: b.originalCode, system: b.originalCodeSystem }
      : b.type === "allergy"
        ? { term: b.originalTerm ?? b.term, code: b.code, system: b.codeSystem }
        : b.type === "medication"
          ? { term: b.drug, code: b.code, system: b.codeSystem }
          : null;
  const codeOk = isSctid(code.trim());
  const valid = codeOk && term.trim() !== "";

  function pick(s: CodeSuggestion) {
    setCode(s.code);
    setTerm(s.term);
    setQuery("");
    setSuggestions([]);
  }

  return (
    <Dialog title="Propose a recode" onClose={onClose} testId="recode-dialog" initialFocus="[data-first]">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void submit();
        }}
      >
        <p className="rv-dialog-subject">{itemTitle(item)}</p>
        {original && (
          <p className="muted">
            Sent as {original.term ?? "(no term)"}
            {original.code && ` · ${original.code}`}
            {original.system && ` (${codeSystemName(original.system)})`}
          </p>
        )}
        <div className="rv-field">
          <label htmlFor={`${id}-term`} className="field-label">
            Term
          </label>
          <p className="hint">Type to see codes this practice already uses.</p>
          <input
            id={`${id}-term`}
            data-first
            type="text"
            autoComplete="off"
            value={term}
            onChange={(e) => {
              setTerm(e.target.value);
              setQuery(e.target.value);
            }}
          />
        </div>
        {suggestions.length > 0 && (
          <ul className="rv-suggestions" aria-label="Suggested codes">
            {suggestions.map((s) => (
              <li key={s.code}>
                <button type="button" onClick={() => pick(s)}>
                  <span className="rv-suggestion-term">{s.term}</span>
                  <span className="rv-suggestion-code">{s.code}</span>
                  <span className="sub">used {s.uses === 1 ? "once" : `${s.uses} times`}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="rv-field">
          <label htmlFor={`${id}-code`} className="field-label">
            SNOMED CT code
          </label>
          <input
            id={`${id}-code`}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            className="rv-code-input"
            value={code}
            aria-invalid={code.trim() !== "" && !codeOk}
            onChange={(e) => setCode(e.target.value)}
          />
          {code.trim() !== "" && !codeOk && (
            <p className="field-error">A SNOMED CT concept id is 6 to 18 digits, such as 91936005.</p>
          )}
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="rv-dialog-actions">
          <button type="submit" className="rv-btn rv-btn-confirm" disabled={!valid || busy}>
            Propose recode
          </button>
          <button type="button" className="rv-btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
