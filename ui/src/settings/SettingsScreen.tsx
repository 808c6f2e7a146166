import { type FormEvent, useEffect, useState } from "react";
import { type BackendError, toBackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { SettingsView } from "../bindings/SettingsView";

const SOURCE: Record<SettingsView["incomingSource"], string> = {
  default: "the default folder inside the app's data folder",
  setting: "the folder set here",
  environment: "the GP2GP_INBOX_DIR environment variable, which overrides this setting",
};

export function SettingsScreen() {
  const backend = useBackend();
  const [view, setView] = useState<SettingsView | null>(null);
  const [dir, setDir] = useState("");
  const [error, setError] = useState<BackendError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    backend
      .settings()
      .then((v) => {
        setView(v);
        setDir(v.incomingDir ?? "");
      })
      .catch((e: unknown) => setError(toBackendError(e)));
  }, [backend]);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    try {
      const v = await backend.updateSettings({ incomingDir: dir.trim() === "" ? null : dir.trim() });
      setView(v);
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(toBackendError(err));
    }
  }

  return (
    <section className="panel settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <form onSubmit={save}>
        <label htmlFor="incoming-dir" className="field-label">
          Incoming folder
        </label>
        <p className="hint">
          The folder GP2GP Inbox watches for new messages. Leave empty to use the default folder.
        </p>
        <div className="field-row">
          <input
            id="incoming-dir"
            type="text"
            value={dir}
            onChange={(e) => setDir(e.target.value)}
            placeholder="/path/to/incoming"
            spellCheck={false}
          />
          <button type="submit" className="primary">
            Save
          </button>
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error.message}
          </p>
        )}
        {saved && <p className="field-ok">Saved. The inbox now watches the folder below.</p>}
      </form>
      {view && (
        <dl className="facts">
          <dt>Watching now</dt>
          <dd>
            <code>{view.effectiveIncomingDir}</code>
          </dd>
          <dt>Because of</dt>
          <dd>{SOURCE[view.incomingSource]}</dd>
        </dl>
      )}
    </section>
  );
}
