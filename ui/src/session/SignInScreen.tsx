import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { type BackendError, toBackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { Role } from "../bindings/Role";
import type { SessionView } from "../bindings/SessionView";
import type { UserView } from "../bindings/UserView";
import { formatInstant, rolesLabel } from "../format";
import { RoleCheckboxes } from "./RoleCheckboxes";

/** The brand, the training banner when it is the training inbox, and a card in the middle. */
export function SignInFrame({
  training,
  children,
  testId = "sign-in",
}: {
  training: boolean;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className={training ? "signin-page training" : "signin-page"} data-testid={testId}>
      {training && (
        <div className="training-banner" role="note" data-testid="training-banner">
          TRAINING — synthetic records. Nothing here is a real patient; nothing leaves the training folder.
        </div>
      )}
      <div className="signin-card">
        <div className="signin-brand">
          <span className="brand-mark" aria-hidden="true">
            GP2GP
          </span>
          <span className="brand-name">Inbox</span>
        </div>
        {children}
      </div>
    </div>
  );
}

function lockedUntil(u: UserView, now: number): string | null {
  if (!u.lockedUntil) return null;
  const until = new Date(u.lockedUntil).getTime();
  return until > now ? formatInstant(u.lockedUntil) : null;
}

/** Choose a profile, type its PIN. */
export function SignInScreen({
  session,
  notice,
  onSignedIn,
}: {
  session: SessionView;
  /** Why the sign-in screen is showing (the screen locked, the session ended). */
  notice: string | null;
  onSignedIn: (session: SessionView) => void;
}) {
  const backend = useBackend();
  const [chosen, setChosen] = useState<UserView | null>(null);
  const [pin, setPin] = useState("");
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);
  const training = session.trainingPin !== null;

  useEffect(() => {
    if (chosen) pinRef.current?.focus();
  }, [chosen]);

  function choose(u: UserView | null) {
    setChosen(u);
    setPin("");
    setError(null);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!chosen || busy) return;
    setBusy(true);
    try {
      const next = await backend.signIn(chosen.id, pin);
      setBusy(false);
      onSignedIn(next);
    } catch (err) {
      setBusy(false);
      setError(toBackendError(err));
      setPin("");
      pinRef.current?.focus();
    }
  }

  const now = Date.now();
  return (
    <SignInFrame training={training}>
      {notice && (
        <p className="signin-notice" role="status">
          {notice}
        </p>
      )}
      {session.trainingPin !== null && (
        <p className="signin-training" data-testid="training-pin">
          Training profiles — PIN {session.trainingPin}
        </p>
      )}
      {chosen === null ? (
        <>
          <h1 id="signin-title">Who is signing in?</h1>
          {session.profiles.length === 0 ? (
            <p className="muted">
              No profile can sign in: every profile is disabled. Ask your practice's IT support for help.
            </p>
          ) : (
            <ul className="profiles" aria-labelledby="signin-title">
              {session.profiles.map((p) => {
                const locked = lockedUntil(p, now);
                return (
                  <li key={p.id}>
                    <button
                      type="button"
                      className="profile"
                      aria-label={p.name}
                      aria-describedby={`profile-roles-${p.id}`}
                      onClick={() => choose(p)}
                    >
                      <span className="profile-name">{p.name}</span>
                      <span className="profile-roles" id={`profile-roles-${p.id}`}>
                        {rolesLabel(p.roles)}
                        {locked && ` · locked until ${locked}`}
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      ) : (
        <form className="signin-form" onSubmit={submit} aria-labelledby="signin-who">
          <div className="signin-who">
            <h1 id="signin-who">{chosen.name}</h1>
            <span className="profile-roles">{rolesLabel(chosen.roles)}</span>
          </div>
          <label htmlFor="signin-pin" className="field-label">
            PIN
          </label>
          <input
            id="signin-pin"
            ref={pinRef}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={12}
            value={pin}
            onChange={(e) => setPin(e.target.value)}
          />
          {error && (
            <p className="field-error" role="alert">
              {error.message}
            </p>
          )}
          <div className="signin-actions">
            <button type="submit" className="primary" disabled={busy}>
              Sign in
            </button>
            <button type="button" className="link" onClick={() => choose(null)}>
              Choose another profile
            </button>
          </div>
        </form>
      )}
    </SignInFrame>
  );
}

/** The very first run: nobody can sign in until an administrator exists. */
export function FirstUserScreen({
  session,
  onSignedIn,
}: {
  session: SessionView;
  onSignedIn: (session: SessionView) => void;
}) {
  const backend = useBackend();
  const [name, setName] = useState("");
  const [roles, setRoles] = useState<Role[]>(["administrator"]);
  const [pin, setPin] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (pin !== confirm) {
      setError("The two PINs are different: type the same PIN twice.");
      return;
    }
    setBusy(true);
    try {
      const next = await backend.createFirstUser({
        name: name.trim(),
        roles: Array.from(new Set<Role>([...roles, "administrator"])),
        pin,
      });
      setBusy(false);
      onSignedIn(next);
    } catch (err) {
      setBusy(false);
      setError(toBackendError(err).message);
    }
  }

  return (
    <SignInFrame training={session.trainingPin !== null}>
      <form className="signin-form first-user" onSubmit={submit} aria-labelledby="first-user-title">
        <h1 id="first-user-title">Create the first administrator</h1>
        <p className="hint">
          Nobody can use GP2GP Inbox on this computer yet. The first profile is an administrator, who then
          adds everyone else in Settings.
        </p>
        <label htmlFor="first-name" className="field-label">
          Name
        </label>
        <input
          id="first-name"
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Dr Jane Smith"
          autoComplete="off"
          spellCheck={false}
        />
        <RoleCheckboxes value={roles} onChange={setRoles} fixed={["administrator"]} />
        <div className="pin-pair">
          <div>
            <label htmlFor="first-pin" className="field-label">
              PIN
            </label>
            <input
              id="first-pin"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={12}
              value={pin}
              onChange={(e) => setPin(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor="first-confirm" className="field-label">
              Confirm PIN
            </label>
            <input
              id="first-confirm"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={12}
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </div>
        </div>
        <p className="hint">4 to 12 digits.</p>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="signin-actions">
          <button type="submit" className="primary" disabled={busy}>
            Create administrator and sign in
          </button>
        </div>
      </form>
    </SignInFrame>
  );
}
