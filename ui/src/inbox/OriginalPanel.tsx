import { useEffect, useRef, useState } from "react";
import type { BackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { OriginalView } from "../bindings/OriginalView";
import { formatBytes } from "../format";
import { useSession } from "../session/context";

/** The original message as received, byte for byte, with a way to save a copy (GP2GP S63). */
export function OriginalPanel({ transferId, onClose }: { transferId: number; onClose: () => void }) {
  const backend = useBackend();
  const { handleError } = useSession();
  const panel = useRef<HTMLElement>(null);
  const [original, setOriginal] = useState<OriginalView | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [savedTo, setSavedTo] = useState<string | null>(null);

  useEffect(() => {
    backend
      .original(transferId)
      .then(setOriginal)
      .catch((e: unknown) => setError(handleError(e)));
  }, [backend, transferId, handleError]);

  useEffect(() => {
    // The panel opens below the list: bring it into view.
    panel.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, []);

  async function save() {
    try {
      setSavedTo(await backend.exportOriginal(transferId));
      setError(null);
    } catch (e) {
      setError(handleError(e));
    }
  }

  return (
    <section className="panel original" aria-labelledby="original-title" ref={panel}>
      <div className="panel-head">
        <div>
          <h2 id="original-title">Original message{original ? `: ${original.fileName}` : ""}</h2>
          {original && (
            <p className="muted">
              {formatBytes(original.sizeBytes)} exactly as received · SHA-256{" "}
              <code className="hash">{original.sha256}</code>
            </p>
          )}
        </div>
        <div className="actions">
          <button type="button" className="primary" onClick={save} disabled={!original}>
            Save a copy
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      {savedTo && (
        <p className="field-ok" role="status">
          Saved to <code>{savedTo}</code>
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
      {original && (
        <>
          {original.truncated && (
            <p className="muted">
              Showing the first {formatBytes(original.shownBytes)}. Save a copy to see all of it.
            </p>
          )}
          <pre className="original-text" data-testid="original-text">
            {original.text}
          </pre>
        </>
      )}
    </section>
  );
}
