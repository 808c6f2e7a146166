// The practice's registrations: an extract names the patient only by NHS number, so the inbox
// learns who is registered here from an export of the clinical system (CSV) or the generator's
// registrations.json. Administrators import it; each transfer is then matched on NHS number.
import { type FormEvent, useState } from "react";
import type { BackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { ImportReport } from "../bindings/ImportReport";
import { useSession } from "../session/context";

export function RegistrationsSection() {
  const { session, handleError } = useSession();
  const backend = useBackend();
  const [path, setPath] = useState("");
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<BackendError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setReport(null);
    setError(null);
    try {
      setReport(await backend.importRegistrations(path.trim()));
    } catch (err) {
      setError(handleError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel registrations" aria-labelledby="registrations-title">
      <h2 id="registrations-title">Registrations</h2>
      <p className="hint">
        A GP2GP record names the patient only by NHS number. Import the practice's registrations — a CSV
        export of the clinical system with a header row naming at least <em>NHS Number</em> and{" "}
        <em>Surname</em>, or a training <code>registrations.json</code> — and each record is matched to the
        patient registered here; records that match nobody are shown as <strong>Not registered here</strong>.
      </p>
      {session.permissions.administer ? (
        <form onSubmit={submit} className="registrations-form">
          <label htmlFor="registrations-path" className="field-label">
            File to import
          </label>
          <div className="inline-field">
            <input
              id="registrations-path"
              type="text"
              placeholder="/home/practice/registrations.csv"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              spellCheck={false}
              autoComplete="off"
            />
            <button type="submit" disabled={busy || path.trim() === ""}>
              {busy ? "Importing…" : "Import registrations"}
            </button>
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error.message}
            </p>
          )}
          {report && (
            <div role="status" data-testid="registrations-report">
              <p>
                <strong>{report.imported.toLocaleString("en-GB")}</strong> registration
                {report.imported === 1 ? "" : "s"} imported
                {report.skipped.length > 0 ? `; ${report.skipped.length} left out:` : "."}
              </p>
              {report.skipped.length > 0 && (
                <ul className="skipped">
                  {report.skipped.slice(0, 20).map(([line, why]) => (
                    <li key={line}>
                      Line {line}: {why}
                    </li>
                  ))}
                  {report.skipped.length > 20 && <li>and {report.skipped.length - 20} more</li>}
                </ul>
              )}
            </div>
          )}
        </form>
      ) : (
        <p className="muted">Only an administrator can import registrations.</p>
      )}
    </section>
  );
}
