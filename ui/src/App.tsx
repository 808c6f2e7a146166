import { useCallback, useEffect, useState } from "react";
import { type BackendError, toBackendError } from "./backend/backend";
import { useBackend } from "./backend/context";
import type { InboxEvent } from "./bindings/InboxEvent";
import type { InboxSnapshot } from "./bindings/InboxSnapshot";
import { InboxScreen } from "./inbox/InboxScreen";
import { applyEvent } from "./inbox/state";
import { SettingsScreen } from "./settings/SettingsScreen";

type Screen = "inbox" | "settings";

export function App() {
  const backend = useBackend();
  const [screen, setScreen] = useState<Screen>("inbox");
  const [snapshot, setSnapshot] = useState<InboxSnapshot | null>(null);
  const [error, setError] = useState<BackendError | null>(null);

  const load = useCallback(async () => {
    try {
      setSnapshot(await backend.snapshot());
      setError(null);
    } catch (e) {
      setError(toBackendError(e));
    }
  }, [backend]);

  useEffect(() => {
    // Listen first, then load: events that arrive meanwhile are queued and applied on top.
    let stopped = false;
    let unlisten: (() => void) | null = null;
    const early: InboxEvent[] = [];
    let loaded = false;
    backend
      .onEvent((event) => {
        if (!loaded) {
          early.push(event);
          return;
        }
        if (event.kind === "inboxReplaced") {
          // Training mode switched, training data reset, records moved: load the other inbox.
          backend
            .snapshot()
            .then((s) => {
              setSnapshot(s);
              setError(null);
            })
            .catch((e: unknown) => setError(toBackendError(e)));
          return;
        }
        setSnapshot((s) => (s ? applyEvent(s, event) : s));
      })
      .then((stop) => {
        if (stopped) stop();
        else unlisten = stop;
        return backend.snapshot();
      })
      .then((s) => {
        loaded = true;
        setSnapshot(early.reduce(applyEvent, s));
        setError(null);
      })
      .catch((e: unknown) => setError(toBackendError(e)));
    return () => {
      stopped = true;
      unlisten?.();
    };
  }, [backend]);

  const watch = snapshot?.watch;
  const training = snapshot?.training ?? false;
  return (
    <div className={training ? "app training" : "app"}>
      {training && (
        <div className="training-banner" role="note" data-testid="training-banner">
          TRAINING — synthetic records. Nothing here is a real patient; nothing leaves the training folder.
        </div>
      )}
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            GP2GP
          </span>
          <span className="brand-name">Inbox</span>
        </div>
        <nav className="tabs" aria-label="Screens">
          <button type="button" aria-current={screen === "inbox"} onClick={() => setScreen("inbox")}>
            Inbox
          </button>
          <button type="button" aria-current={screen === "settings"} onClick={() => setScreen("settings")}>
            Settings
          </button>
        </nav>
        {watch && (
          <div className={`watch-pill ${watch.watching ? "ok" : "problem"}`} title={watch.incomingDir}>
            {watch.watching ? "Watching incoming folder" : "Not watching"}
          </div>
        )}
      </header>
      <main className="app-main">
        {training && (
          <div className="training-watermark" aria-hidden="true">
            TRAINING
          </div>
        )}
        {error && (
          <div className="banner banner-error" role="alert">
            <strong>The inbox could not be loaded.</strong> {error.message}{" "}
            <button type="button" className="link" onClick={load}>
              Try again
            </button>
          </div>
        )}
        {screen === "inbox" && snapshot && <InboxScreen snapshot={snapshot} />}
        {screen === "inbox" && !snapshot && !error && <p className="muted">Loading the inbox…</p>}
        {screen === "settings" && <SettingsScreen />}
      </main>
    </div>
  );
}
