import { type FormEvent, useEffect, useState } from "react";
import type { BackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { SettingsView } from "../bindings/SettingsView";
import { useSession } from "../session/context";
import { RegistrationsSection } from "./RegistrationsSection";
import { UsersSection } from "./UsersSection";

const SOURCE: Record<SettingsView["incomingSource"], string> = {
  default: "the default folder inside the app's data folder",
  setting: "the folder set here",
  environment: "the GP2GP_INBOX_DIR environment variable, which overrides this setting",
};

/** The form's fields, as typed. */
interface Form {
  dir: string;
  storageDir: string;
  endpointEnabled: boolean;
  listen: string;
  maxBodyMb: string;
  timeoutHours: string;
  outboxDir: string;
  idleMinutes: string;
  relaxReview: boolean;
}

function formOf(v: SettingsView): Form {
  return {
    dir: v.incomingDir ?? "",
    storageDir: v.storageDir ?? "",
    endpointEnabled: v.endpoint.enabled,
    listen: v.endpoint.listen,
    maxBodyMb: String(v.endpoint.maxBodyMb),
    timeoutHours: String(v.attachmentTimeoutHours),
    outboxDir: v.outboxDir ?? "",
    idleMinutes: String(v.idleLockMinutes),
    relaxReview: v.relaxReviewForAdministrators,
  };
}

export function SettingsScreen() {
  const backend = useBackend();
  const { session, handleError, reload } = useSession();
  const { administer, train } = session.permissions;
  const [view, setView] = useState<SettingsView | null>(null);
  // The live inbox's settings are never changed from training mode (its profiles' PIN is public).
  const inTraining = view?.training.active ?? false;
  const readOnly = !administer || inTraining;
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    backend
      .settings()
      .then((v) => {
        setView(v);
        setForm(formOf(v));
      })
      .catch((e: unknown) => setError(handleError(e)));
  }, [backend, handleError]);

  const set = (patch: Partial<Form>) => setForm((f) => (f ? { ...f, ...patch } : f));
  const [trainingNote, setTrainingNote] = useState<string | null>(null);
  const [scenario, setScenario] = useState("every");

  async function switchTraining(enabled: boolean) {
    setTrainingNote(null);
    try {
      setView(await backend.setTraining(enabled));
      setError(null);
    } catch (err) {
      setError(handleError(err));
    }
  }

  async function resetTraining() {
    setTrainingNote(null);
    try {
      const n = await backend.resetTraining(scenario);
      setTrainingNote(`Training data reset: ${n} ${n === 1 ? "record" : "records"} ready.`);
      setError(null);
    } catch (err) {
      setError(handleError(err));
    }
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    setSaved(false);
    try {
      const dir = form.dir.trim();
      const storageDir = form.storageDir.trim();
      const outboxDir = form.outboxDir.trim();
      const v = await backend.updateSettings({
        incomingDir: dir === "" ? null : dir,
        storageDir: storageDir === "" ? null : storageDir,
        outboxDir: outboxDir === "" ? null : outboxDir,
        endpointEnabled: form.endpointEnabled,
        endpointListen: form.listen.trim(),
        // Not a number: the core refuses it with a reason (0 is out of range).
        endpointMaxBodyMb: Number.parseInt(form.maxBodyMb, 10) || 0,
        attachmentTimeoutHours: Number.parseInt(form.timeoutHours, 10) || 0,
        idleLockMinutes: Number.parseInt(form.idleMinutes, 10) || 0,
        relaxReviewForAdministrators: form.relaxReview,
      });
      setView(v);
      setForm(formOf(v));
      setError(null);
      setSaved(true);
      // The screen lock follows the new setting.
      void reload();
    } catch (err) {
      setError(handleError(err));
    }
  }

  if (!form) {
    return (
      <section className="panel settings" aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        {error ? (
          <p className="field-error" role="alert">
            {error.message}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );
  }

  return (
    <div className="settings-page">
      <section className="panel settings" aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        {view && (
          <section className="training-settings" aria-labelledby="training-title">
            <h2 id="training-title">Training mode</h2>
            <p className="hint">
              A separate inbox of synthetic records for demonstrations and practice. The live inbox, its
              folders and the endpoint are left alone while it is on.
            </p>
            {view.training.active ? (
              <>
                <p>
                  <strong>Training mode is on.</strong> Drop generated files into{" "}
                  <code>{view.training.incomingDir}</code> to watch them arrive.
                </p>
                {train && (
                  <>
                    <label htmlFor="training-scenario" className="field-label">
                      Scenario set
                    </label>
                    <select
                      id="training-scenario"
                      value={scenario}
                      onChange={(e) => setScenario(e.target.value)}
                    >
                      {view.training.scenarios.map((s) => (
                        <option key={s.name} value={s.name}>
                          {s.name === "every" ? "Every scenario" : s.name}
                        </option>
                      ))}
                    </select>
                    <p className="hint">
                      {view.training.scenarios.find((s) => s.name === scenario)?.description}
                    </p>
                    <div className="actions">
                      <button type="button" className="primary" onClick={resetTraining}>
                        Reset training data
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => switchTraining(false)}
                        disabled={view.training.forced}
                      >
                        Leave training mode
                      </button>
                    </div>
                  </>
                )}
                {view.training.forced && (
                  <p className="hint">
                    The app was started with --training: start it without to use the live inbox.
                  </p>
                )}
              </>
            ) : (
              <>
                <p>Training mode is off: this is the live inbox.</p>
                {train && (
                  <div className="actions">
                    <button type="button" className="secondary" onClick={() => switchTraining(true)}>
                      Switch to training mode
                    </button>
                  </div>
                )}
              </>
            )}
            {!train && (
              <p className="muted" data-testid="training-not-allowed">
                Only a trainer or an administrator can switch or reset training mode.
              </p>
            )}
            {trainingNote && (
              <p className="field-ok" role="status">
                {trainingNote}
              </p>
            )}
          </section>
        )}
        <form onSubmit={save} aria-label="Practice settings" noValidate>
          {readOnly && (
            <p className="readonly-note" data-testid="settings-read-only">
              {inTraining
                ? "These are the live inbox's settings: switch training mode off and sign in to the live inbox to change them."
                : "Only an administrator can change these settings. They are shown here so you can see how GP2GP Inbox is set up."}
            </p>
          )}
          {view?.training.active && (
            <p className="hint">
              The settings below are the live inbox's; they apply again when training mode ends.
            </p>
          )}
          <fieldset disabled={readOnly}>
            <legend>Watched folder</legend>
            <label htmlFor="incoming-dir" className="field-label">
              Incoming folder
            </label>
            <p className="hint">
              The folder GP2GP Inbox watches for new messages. Leave empty to use the default folder.
            </p>
            <input
              id="incoming-dir"
              type="text"
              value={form.dir}
              onChange={(e) => set({ dir: e.target.value })}
              placeholder="/path/to/incoming"
              spellCheck={false}
            />
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
          </fieldset>

          <fieldset disabled={readOnly}>
            <legend>Records</legend>
            <label htmlFor="storage-dir" className="field-label">
              Records folder
            </label>
            <p className="hint">
              Where the database, the original messages, attachments and quarantine are kept. Leave empty to
              use the app's data folder. A new folder starts an empty inbox there; records already filed stay
              in the old folder.
            </p>
            <input
              id="storage-dir"
              type="text"
              value={form.storageDir}
              onChange={(e) => set({ storageDir: e.target.value })}
              placeholder="/path/to/records"
              spellCheck={false}
            />
            {view && (
              <dl className="facts">
                <dt>Kept in</dt>
                <dd>
                  <code>{view.effectiveStorageDir}</code>
                </dd>
              </dl>
            )}
          </fieldset>

          <fieldset disabled={readOnly}>
            <legend>Acknowledgements</legend>
            <label htmlFor="outbox-dir" className="field-label">
              Outbox folder
            </label>
            <p className="hint">
              Where the acknowledgement of each decision (integrated or rejected) is written for the sending
              practice, for your messaging software to collect. Leave empty to use <code>outbox</code> in the
              records folder.
            </p>
            <input
              id="outbox-dir"
              type="text"
              value={form.outboxDir}
              onChange={(e) => set({ outboxDir: e.target.value })}
              placeholder="/path/to/outbox"
              spellCheck={false}
            />
            {view && (
              <dl className="facts" data-testid="outbox-status">
                <dt>Written to</dt>
                <dd>
                  <code>{view.effectiveOutboxDir}</code>
                  {view.outboxFromEnvironment && (
                    <span className="env-note">
                      {" "}
                      set by <code className="nowrap">GP2GP_INBOX_OUTBOX</code>, which overrides this setting
                    </span>
                  )}
                </dd>
              </dl>
            )}
          </fieldset>

          <fieldset disabled={readOnly}>
            <legend>Large messages</legend>
            <label htmlFor="timeout-hours" className="field-label">
              Hours to wait for attachments
            </label>
            <p className="hint">
              A record whose attachments are sent as separate messages waits this long for them (1–720 hours),
              then is marked incomplete with GP2GP response code 25.
            </p>
            <input
              id="timeout-hours"
              type="number"
              min={1}
              max={720}
              value={form.timeoutHours}
              onChange={(e) => set({ timeoutHours: e.target.value })}
            />
          </fieldset>

          <fieldset disabled={readOnly}>
            <legend>Sign-in</legend>
            <label htmlFor="idle-minutes" className="field-label">
              Lock the screen after (minutes)
            </label>
            <p className="hint">
              Minutes without activity before the screen locks and the user must type their PIN again (1–240).
            </p>
            <input
              id="idle-minutes"
              type="number"
              min={1}
              max={240}
              value={form.idleMinutes}
              onChange={(e) => set({ idleMinutes: e.target.value })}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={form.relaxReview}
                onChange={(e) => set({ relaxReview: e.target.checked })}
              />{" "}
              Administrators may decide before every section is reviewed
            </label>
            <p className="hint check-hint">
              Otherwise everyone, administrators included, must review every section of a record before
              integrating it or storing it suppressed. A rejection never waits for the review.
            </p>
          </fieldset>

          <fieldset disabled={readOnly}>
            <legend>HTTP endpoint for integration engines</legend>
            <label className="check">
              <input
                type="checkbox"
                checked={form.endpointEnabled}
                onChange={(e) => set({ endpointEnabled: e.target.checked })}
              />{" "}
              Accept messages posted to the endpoint
            </label>
            <label htmlFor="endpoint-listen" className="field-label">
              Address and port
            </label>
            <p className="hint">
              127.0.0.1 accepts messages from this computer only. Ask your IT support before using another
              address.
            </p>
            <input
              id="endpoint-listen"
              type="text"
              value={form.listen}
              onChange={(e) => set({ listen: e.target.value })}
              spellCheck={false}
            />
            <label htmlFor="endpoint-max" className="field-label">
              Largest message accepted (MB)
            </label>
            <input
              id="endpoint-max"
              type="number"
              min={1}
              max={4096}
              value={form.maxBodyMb}
              onChange={(e) => set({ maxBodyMb: e.target.value })}
            />
            {view?.endpoint.enabled && (
              <dl className="facts" data-testid="endpoint-status">
                <dt>Status</dt>
                <dd>
                  {view.endpoint.running ? (
                    <>
                      Accepting messages at <code>{view.endpoint.url}</code>
                    </>
                  ) : (
                    <span className="field-error">{view.endpoint.problem ?? "Not running."}</span>
                  )}
                </dd>
                <dt>Token</dt>
                <dd>
                  Integration engines send the token in <code>{view.endpoint.tokenFile}</code> as{" "}
                  <code className="nowrap">Authorization: Bearer …</code>
                </dd>
              </dl>
            )}
          </fieldset>

          {!readOnly && (
            <div className="form-actions">
              <button type="submit" className="primary">
                Save
              </button>
            </div>
          )}
          {error && (
            <p className="field-error" role="alert">
              {error.message}
            </p>
          )}
          {saved && <p className="field-ok">Saved.</p>}
        </form>
      </section>
      <RegistrationsSection />
      <UsersSection />
    </div>
  );
}
