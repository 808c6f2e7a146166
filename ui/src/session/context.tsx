import { createContext, useContext } from "react";
import type { BackendError } from "../backend/backend";
import type { SessionView } from "../bindings/SessionView";

/** The signed-in session, for every screen behind the sign-in gate. */
export interface SessionApi {
  /** Always has a `user` here: screens behind the gate are only shown to a signed-in user. */
  session: SessionView;
  /**
   * Turns whatever a call rejected with into an error to show, or `null` when it was
   * `not_signed_in`: the sign-in screen takes over then, and there is nothing to show.
   */
  handleError(e: unknown): BackendError | null;
  /**
   * Reads the session again (after settings or users change, or another inbox opened); `why` is
   * said on the sign-in screen if the user is no longer signed in.
   */
  reload(why?: string): Promise<void>;
  /** Signs out and shows the sign-in screen. */
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error("useSession outside the sign-in gate");
  return api;
}
