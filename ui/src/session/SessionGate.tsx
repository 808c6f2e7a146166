// The sign-in gate: nothing of the inbox is shown (or even loaded) until a user has signed in. The
// screens behind it get a backend that sends the user back here when the core says `not_signed_in`,
// and the screen locks itself after a while without activity.
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type BackendError, toBackendError } from "../backend/backend";
import { BackendProvider, useBackend } from "../backend/context";
import type { Permissions } from "../bindings/Permissions";
import type { SessionView } from "../bindings/SessionView";
import { plural } from "../format";
import { type SessionApi, SessionContext } from "./context";
import { guardBackend } from "./guard";
import { FirstUserScreen, SignInFrame, SignInScreen } from "./SignInScreen";
import { useIdleLock } from "./useIdleLock";

const NOBODY: Permissions = {
  decide: false,
  reauthorise: false,
  recode: false,
  administer: false,
  train: false,
};

type Gate =
  | { kind: "loading" }
  | { kind: "failed"; error: BackendError }
  | { kind: "ready"; session: SessionView };

/** Says why the screen locked. */
export function lockedNotice(minutes: number): string {
  return `The screen locked after ${plural(minutes, "minute", "minutes")} without activity.`;
}

export function SessionGate({
  children,
  now,
}: {
  /** The app for a signed-in user (remounted when another user signs in). */
  children: (session: SessionView) => ReactNode;
  /** The clock for the screen lock (milliseconds); `Date.now` unless a test says otherwise. */
  now?: () => number;
}) {
  const backend = useBackend();
  const [gate, setGate] = useState<Gate>({ kind: "loading" });
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    setGate({ kind: "loading" });
    try {
      setGate({ kind: "ready", session: await backend.session() });
    } catch (e) {
      setGate({ kind: "failed", error: toBackendError(e) });
    }
  }, [backend]);

  useEffect(() => {
    void load();
  }, [load]);

  /** Back to the sign-in screen at once; `fresh` (else a new `session()`) brings the profiles up to date. */
  const signedOut = useCallback(
    (why: string | null, fresh?: Promise<SessionView>) => {
      setNotice(why);
      setGate((g) =>
        g.kind === "ready"
          ? { kind: "ready", session: { ...g.session, user: null, permissions: NOBODY } }
          : g,
      );
      (fresh ?? backend.session())
        .then((s) => setGate({ kind: "ready", session: { ...s, user: null, permissions: NOBODY } }))
        .catch(() => {
          // The sign-in screen is showing already; its profiles are the ones from before.
        });
    },
    [backend],
  );

  const signedIn = useCallback((session: SessionView) => {
    setNotice(null);
    setGate({ kind: "ready", session });
  }, []);

  if (gate.kind === "loading") {
    return (
      <SignInFrame training={false} testId="session-loading">
        <p className="muted">Loading…</p>
      </SignInFrame>
    );
  }
  if (gate.kind === "failed") {
    return (
      <SignInFrame training={false}>
        <div className="banner banner-error" role="alert">
          <strong>GP2GP Inbox could not start.</strong> {gate.error.message}
        </div>
        <button type="button" className="secondary" onClick={load}>
          Try again
        </button>
      </SignInFrame>
    );
  }
  const { session } = gate;
  if (session.user) {
    return (
      <SignedIn
        key={session.user.id}
        session={session}
        onSession={signedIn}
        onSignedOut={signedOut}
        {...(now ? { now } : {})}
      >
        {children}
      </SignedIn>
    );
  }
  if (session.needsFirstUser) return <FirstUserScreen session={session} onSignedIn={signedIn} />;
  return <SignInScreen session={session} notice={notice} onSignedIn={signedIn} />;
}

function SignedIn({
  session,
  onSession,
  onSignedOut,
  now,
  children,
}: {
  session: SessionView;
  onSession: (session: SessionView) => void;
  onSignedOut: (why: string | null, fresh?: Promise<SessionView>) => void;
  now?: () => number;
  children: (session: SessionView) => ReactNode;
}) {
  const raw = useBackend();
  // False once this user's session has ended: late failures of calls made before are ignored.
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const end = useCallback(
    (why: string | null, fresh?: Promise<SessionView>) => {
      if (!alive.current) return;
      alive.current = false;
      onSignedOut(why, fresh);
    },
    [onSignedOut],
  );
  const expired = useCallback((error: BackendError) => end(error.message), [end]);
  const backend = useMemo(() => guardBackend(raw, expired), [raw, expired]);

  const minutes = session.idleLockMinutes;
  useIdleLock({
    minutes,
    ...(now ? { now } : {}),
    onTouch: () => {
      raw.touch().catch((e: unknown) => {
        const error = toBackendError(e);
        if (error.code === "not_signed_in") expired(error);
      });
    },
    // Hide the screen at once; the core audits the lock.
    onIdle: () => end(lockedNotice(minutes), raw.signOut(true)),
  });

  const handleError = useCallback(
    (e: unknown) => {
      const error = toBackendError(e);
      if (error.code !== "not_signed_in") return error;
      expired(error);
      return null;
    },
    [expired],
  );
  const reload = useCallback(
    async (why?: string) => {
      try {
        const next = await raw.session();
        if (!alive.current) return;
        if (next.user) onSession(next);
        else end(why ?? null, Promise.resolve(next));
      } catch {
        // Nothing changes: the session stays as it was.
      }
    },
    [raw, end, onSession],
  );
  const signOut = useCallback(async () => end(null, raw.signOut(false)), [raw, end]);
  const api = useMemo<SessionApi>(
    () => ({ session, handleError, reload, signOut }),
    [session, handleError, reload, signOut],
  );

  return (
    <BackendProvider backend={backend}>
      <SessionContext.Provider value={api}>{children(session)}</SessionContext.Provider>
    </BackendProvider>
  );
}
