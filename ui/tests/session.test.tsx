import { act, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../src/App";
import { BackendError } from "../src/backend/backend";
import { BackendProvider } from "../src/backend/context";
import { FIXTURE_USER, type FixtureBackend, signedInSession, signedOutSession } from "../src/backend/fixture";
import type { UserView } from "../src/bindings/UserView";
import { backend } from "./fixtures";

const CLINICIAN: UserView = {
  id: 2,
  name: "Dr Clinician Synthetic",
  roles: ["clinician", "prescriber"],
  disabled: false,
  lockedUntil: null,
};

function renderApp(b: FixtureBackend) {
  return render(
    <BackendProvider backend={b}>
      <App />
    </BackendProvider>,
  );
}

/** Nobody signed in; the all-roles user and a clinician to choose from. */
function signedOut(): FixtureBackend {
  const b = backend();
  b.userList = [FIXTURE_USER, CLINICIAN];
  b.sessionView = signedOutSession(b.userList);
  return b;
}

describe("sign-in", () => {
  it("shows nothing of the inbox until a profile signs in with its PIN", async () => {
    const b = signedOut();
    renderApp(b);
    const gate = await screen.findByTestId("sign-in");
    expect(within(gate).getByText("GP2GP")).toBeTruthy();
    expect(b.calls).not.toContain("snapshot");
    expect(screen.queryByText("943 476 5919")).toBeNull();

    const profile = within(gate).getByRole("button", { name: "Dr Clinician Synthetic" });
    expect(profile.textContent).toContain("Clinician · Prescriber");
    await userEvent.click(profile);

    const pin = screen.getByLabelText("PIN");
    expect(pin.getAttribute("type")).toBe("password");
    expect(pin.getAttribute("inputmode")).toBe("numeric");
    await userEvent.type(pin, "9999{Enter}");
    expect((await screen.findByRole("alert")).textContent).toBe("Wrong PIN.");
    expect(screen.getByTestId("sign-in")).toBeTruthy();

    await userEvent.type(screen.getByLabelText("PIN"), "1234");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("943 476 5919")).toBeTruthy();
    expect(screen.queryByTestId("sign-in")).toBeNull();
    const who = screen.getByTestId("signed-in-user");
    expect(who.textContent).toContain("Dr Clinician Synthetic");
    expect(who.textContent).toContain("Clinician · Prescriber");
    expect(b.calls.filter((c) => c === "signIn:2")).toHaveLength(2);
  });

  it("says what the core says when a profile is locked", async () => {
    const b = signedOut();
    b.signIn = async () => {
      throw new BackendError({
        code: "not_signed_in",
        message: "Too many wrong PINs: Dr Clinician Synthetic can try again after 5 minutes.",
      });
    };
    renderApp(b);
    await userEvent.click(await screen.findByRole("button", { name: "Dr Clinician Synthetic" }));
    await userEvent.type(screen.getByLabelText("PIN"), "1234{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("Too many wrong PINs");
    // Another profile can be chosen.
    await userEvent.click(screen.getByRole("button", { name: "Choose another profile" }));
    expect(screen.getByRole("button", { name: FIXTURE_USER.name })).toBeTruthy();
  });

  it("gives the training PIN on the training inbox's sign-in screen", async () => {
    const b = signedOut();
    b.sessionView = { ...b.sessionView, trainingPin: "1234" };
    renderApp(b);
    expect((await screen.findByTestId("sign-in")).textContent).toContain("Training profiles — PIN 1234");
    expect(screen.getByTestId("training-banner")).toBeTruthy();
  });

  it("creates the first administrator when there is nobody yet", async () => {
    const b = backend();
    b.userList = [];
    b.sessionView = signedOutSession([]);
    renderApp(b);
    expect(await screen.findByRole("heading", { name: "Create the first administrator" })).toBeTruthy();
    const admin = screen.getByLabelText("Administrator") as HTMLInputElement;
    expect(admin.checked).toBe(true);
    expect(admin.disabled).toBe(true);

    await userEvent.type(screen.getByLabelText("Name"), "Dr New Synthetic");
    await userEvent.click(screen.getByLabelText("Clinician"));
    await userEvent.type(screen.getByLabelText("PIN"), "2468");
    await userEvent.type(screen.getByLabelText("Confirm PIN"), "2469");
    await userEvent.click(screen.getByRole("button", { name: /Create administrator/ }));
    expect((await screen.findByRole("alert")).textContent).toContain("different");
    expect(b.calls.some((c) => c.startsWith("createFirstUser"))).toBe(false);

    await userEvent.clear(screen.getByLabelText("Confirm PIN"));
    await userEvent.type(screen.getByLabelText("Confirm PIN"), "2468{Enter}");
    expect(await screen.findByText("943 476 5919")).toBeTruthy();
    expect(b.calls).toContain("createFirstUser:Dr New Synthetic");
    expect(b.userList[0]?.roles).toEqual(expect.arrayContaining(["administrator", "clinician"]));
    expect(screen.getByTestId("signed-in-user").textContent).toContain("Dr New Synthetic");
  });

  it("signs out from the header", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByTestId("sign-in")).toBeTruthy();
    expect(screen.queryByText("943 476 5919")).toBeNull();
    expect(b.calls).toContain("signOut:false");
    expect(screen.getByRole("button", { name: FIXTURE_USER.name })).toBeTruthy();
  });

  it("goes back to the sign-in screen, not an error, when any call says not_signed_in", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    // The core locked the session (the computer slept, the profile was disabled...).
    b.sessionView = { ...b.sessionView, user: null };
    await userEvent.click(screen.getByRole("button", { name: "Audit" }));
    const gate = await screen.findByTestId("sign-in");
    expect(within(gate).getByRole("status").textContent).toBe("Sign in to continue.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("goes back to the sign-in screen when a screen's own call is refused", async () => {
    const b = backend();
    renderApp(b);
    await userEvent.click(await screen.findByRole("button", { name: "View original extract-1.xml" }));
    // Not even the snapshot: the original panel's call.
    b.exportOriginal = async () => {
      throw new BackendError({ code: "not_signed_in", message: "That profile was disabled; sign in again." });
    };
    await userEvent.click(await screen.findByRole("button", { name: "Save a copy" }));
    expect((await screen.findByTestId("sign-in")).textContent).toContain(
      "That profile was disabled; sign in again.",
    );
  });

  it("reads the session again when another inbox opens, and signs in to it", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    // The core signs everyone out when training mode is switched: the training inbox has its own profiles.
    const trainee: UserView = {
      id: 7,
      name: "Trainee Synthetic",
      roles: ["clinician"],
      disabled: false,
      lockedUntil: null,
    };
    b.userList = [trainee];
    b.sessionView = { ...signedOutSession([trainee]), trainingPin: "1234" };
    act(() => b.push({ kind: "inboxReplaced", training: true }));
    const gate = await screen.findByTestId("sign-in");
    expect(gate.textContent).toContain("The training inbox is open");
    expect(gate.textContent).toContain("Training profiles — PIN 1234");
    expect(within(gate).getByRole("button", { name: "Trainee Synthetic" })).toBeTruthy();
  });
});

describe("screen lock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function lockingAfter(minutes: number): FixtureBackend {
    const b = backend();
    b.sessionView = { ...signedInSession(), idleLockMinutes: minutes };
    return b;
  }

  it("locks after the set minutes without activity, hiding the records", async () => {
    const b = lockingAfter(5);
    renderApp(b);
    await screen.findByText("943 476 5919");
    act(() => {
      vi.advanceTimersByTime(4 * 60_000);
    });
    expect(screen.queryByTestId("sign-in")).toBeNull();
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    const gate = await screen.findByTestId("sign-in");
    expect(within(gate).getByText("The screen locked after 5 minutes without activity.")).toBeTruthy();
    expect(screen.queryByText("943 476 5919")).toBeNull();
    expect(b.calls).toContain("signOut:true");
  });

  it("stays open while the user is active", async () => {
    const b = lockingAfter(5);
    renderApp(b);
    await screen.findByText("943 476 5919");
    for (let minute = 0; minute < 12; minute++) {
      act(() => {
        vi.advanceTimersByTime(60_000);
      });
      if (minute % 3 === 0) fireEvent.keyDown(document.body, { key: "ArrowDown" });
      else if (minute % 3 === 1) fireEvent.pointerDown(document.body);
      else fireEvent.wheel(document.body);
    }
    expect(screen.queryByTestId("sign-in")).toBeNull();
    expect(screen.getByText("943 476 5919")).toBeTruthy();
    expect(b.calls).not.toContain("signOut:true");
    // Then nothing for five minutes.
    act(() => {
      vi.advanceTimersByTime(5 * 60_000);
    });
    expect(await screen.findByTestId("sign-in")).toBeTruthy();
  });

  it("tells the core the user is active at most every 30 seconds", async () => {
    const b = lockingAfter(10);
    renderApp(b);
    await screen.findByText("943 476 5919");
    const touches = () => b.calls.filter((c) => c === "touch").length;
    // Busy for 20 seconds after signing in: the sign-in itself was recent.
    for (let i = 0; i < 20; i++) {
      act(() => {
        vi.advanceTimersByTime(1_000);
      });
      fireEvent.keyDown(document.body, { key: "a" });
    }
    expect(touches()).toBe(0);
    act(() => {
      vi.advanceTimersByTime(11_000);
    });
    fireEvent.keyDown(document.body, { key: "a" });
    expect(touches()).toBe(1);
    // A burst of activity: no more calls until 30 seconds have passed.
    for (let i = 0; i < 29; i++) {
      act(() => {
        vi.advanceTimersByTime(1_000);
      });
      fireEvent.pointerDown(document.body);
    }
    expect(touches()).toBe(1);
    act(() => {
      vi.advanceTimersByTime(1_000);
    });
    fireEvent.wheel(document.body);
    expect(touches()).toBe(2);
  });

  it("goes to the sign-in screen when the core has locked the session already", async () => {
    const b = lockingAfter(10);
    renderApp(b);
    await screen.findByText("943 476 5919");
    b.sessionView = { ...b.sessionView, user: null };
    act(() => {
      vi.advanceTimersByTime(31_000);
    });
    fireEvent.keyDown(document.body, { key: "a" });
    expect(await screen.findByTestId("sign-in")).toBeTruthy();
    expect(b.calls).toContain("touch");
  });
});
