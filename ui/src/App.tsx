import { useCallback, useEffect, useRef, useState } from "react";
import { AuditScreen } from "./audit/AuditScreen";
import type { BackendError } from "./backend/backend";
import { useBackend } from "./backend/context";
import type { InboxEvent } from "./bindings/InboxEvent";
import type { InboxSnapshot } from "./bindings/InboxSnapshot";
import type { ReviewView } from "./bindings/ReviewView";
import type { SessionView } from "./bindings/SessionView";
import { rolesLabel } from "./format";
import { InboxScreen } from "./inbox/InboxScreen";
import { applyEvent } from "./inbox/state";
import { ReviewScreen } from "./review/ReviewScreen";
import { useSession } from "./session/context";
import { SessionGate } from "./session/SessionGate";
import { SettingsScreen } from "./settings/SettingsScreen";

export type Nav =
  | { screen: "inbox" }
  | { screen: "audit" }
  | { screen: "settings" }
  | { screen: "review"; transferId: number };

const INBOX: Nav = { screen: "inbox" };

/**
 * The app: the sign-in gate, then the inbox, audit and settings screens, and the review of one
 * transfer. After the screen locks, the same user signing in again comes back to where they were.
 */
export function App({ now }: { /** The screen lock's clock (tests). */ now?: () => number } = {}) {
  const [place, setPlace] = useState<{ userId: number | null; nav: Nav }>({ userId: null, nav: INBOX });
  return (
    <SessionGate {...(now ? { now } : {})}>
      {(session) => {
        const userId = session.user?.id ?? null;
        return (
          <Workspace
            session={session}
            nav={place.userId === userId ? place.nav : INBOX}
            onNav={(nav) => setPlace({ userId, nav })}
          />
        );
      }}
    </SessionGate>
  );
}

/** Keeps the inbox snapshot up to date from the core's events, for as long as the user is signed in. */
function useInbox(onReplaced: () => void): {
  snapshot: InboxSnapshot | null;
  error: BackendError | null;
  load: () => Promise<void>;
  apply: (event: InboxEvent) => void;
  /** Counts the times another inbox was opened (screens showing the old one start again). */
  generation: number;
} {
  const backend = useBackend();
  const { handleError, reload } = useSession();
  const [snapshot, setSnapshot] = useState<InboxSnapshot | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [generation, setGeneration] = useState(0);
  const mounted = useRef(true);
  const replaced = useRef(onReplaced);
  replaced.current = onReplaced;

  const load = useCallback(async () => {
    try {
      const s = await backend.snapshot();
      setSnapshot(s);
      setError(null);
    } catch (e) {
      setError(handleError(e));
    }
  }, [backend, handleError]);

  const apply = useCallback((event: InboxEvent) => setSnapshot((s) => (s ? applyEvent(s, event) : s)), []);

  useEffect(() => {
    // Listen first, then load: events that arrive meanwhile are queued and applied on top.
    mounted.current = true;
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
          replaced.current();
          setGeneration((g) => g + 1);
          // Training mode switched or reset: the other inbox has its own profiles, so the core may
          // have signed the user out. Read the session again, then load the other inbox.
          const why = event.training
            ? "The training inbox is open: sign in with a training profile."
            : "The live inbox is open again: sign in to continue.";
          void reload(why).then(() => {
            if (mounted.current) void load();
          });
          return;
        }
        setSnapshot((s) => (s ? applyEvent(s, event) : s));
      })
      .then((stop) => {
        if (!mounted.current) stop();
        else unlisten = stop;
        return backend.snapshot();
      })
      .then((s) => {
        loaded = true;
        setSnapshot(early.filter((e) => e.kind !== "inboxReplaced").reduce(applyEvent, s));
        setError(null);
      })
      .catch((e: unknown) => setError(handleError(e)));
    return () => {
      mounted.current = false;
      unlisten?.();
    };
  }, [backend, handleError, reload, load]);

  return { snapshot, error, load, apply, generation };
}

function Workspace({ session, nav, onNav }: { session: SessionView; nav: Nav; onNav: (nav: Nav) => void }) {
  const { signOut } = useSession();
  const navNow = useRef(nav);
  navNow.current = nav;
  // A transfer of the old inbox means nothing in the new one (its ids are its own).
  const onReplaced = useCallback(() => {
    if (navNow.current.screen === "review") onNav(INBOX);
  }, [onNav]);
  const { snapshot, error, load, apply, generation } = useInbox(onReplaced);
  const [lastOpened, setLastOpened] = useState<number | null>(null);
  const openTransfer = useCallback(
    (transferId: number) => {
      setLastOpened(transferId);
      onNav({ screen: "review", transferId });
    },
    [onNav],
  );
  const onDecided = useCallback(
    // The core also announces the change (transferStored); showing it now does no harm.
    (view: ReviewView) => apply({ kind: "transferStored", transfer: view.transfer }),
    [apply],
  );

  const watch = snapshot?.watch;
  const training = snapshot?.training ?? false;
  const user = session.user;
  const tab = (screen: "inbox" | "audit" | "settings", label: string) => (
    <button
      type="button"
      aria-current={nav.screen === screen || (screen === "inbox" && nav.screen === "review")}
      onClick={() => onNav({ screen })}
    >
      {label}
    </button>
  );
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
          {tab("inbox", "Inbox")}
          {tab("audit", "Audit")}
          {tab("settings", "Settings")}
        </nav>
        <div className="header-end">
          {watch && (
            <div className={`watch-pill ${watch.watching ? "ok" : "problem"}`} title={watch.incomingDir}>
              {watch.watching ? "Watching incoming folder" : "Not watching"}
            </div>
          )}
          {user && (
            <div className="signed-in-user" data-testid="signed-in-user">
              <span className="user-name">{user.name}</span>
              <span className="user-roles">{rolesLabel(user.roles)}</span>
            </div>
          )}
          <button type="button" className="sign-out" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="app-main">
        {training && (
          <div className="training-watermark" aria-hidden="true">
            TRAINING
          </div>
        )}
        {nav.screen === "inbox" && error && (
          <div className="banner banner-error" role="alert">
            <strong>The inbox could not be loaded.</strong> {error.message}{" "}
            <button type="button" className="link" onClick={load}>
              Try again
            </button>
          </div>
        )}
        {nav.screen === "inbox" && !snapshot && !error && <p className="muted">Loading the inbox…</p>}
        {snapshot && (
          // Kept while another screen shows, so the search, filter and place in the list are still there
          // on coming back.
          <div hidden={nav.screen !== "inbox"} data-testid="inbox-screen">
            <InboxScreen
              key={generation}
              snapshot={snapshot}
              onOpen={openTransfer}
              active={nav.screen === "inbox"}
              lastOpened={lastOpened}
            />
          </div>
        )}
        {nav.screen === "review" && (
          <ReviewScreen
            key={nav.transferId}
            transferId={nav.transferId}
            session={session}
            onClose={() => onNav(INBOX)}
            onDecided={onDecided}
          />
        )}
        {nav.screen === "audit" && <AuditScreen key={generation} onOpen={openTransfer} />}
        {nav.screen === "settings" && <SettingsScreen />}
      </main>
    </div>
  );
}
