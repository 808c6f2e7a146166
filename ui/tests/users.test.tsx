import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import { BackendProvider } from "../src/backend/context";
import { FIXTURE_USER, type FixtureBackend, signedInSession } from "../src/backend/fixture";
import type { UserView } from "../src/bindings/UserView";
import { backend } from "./fixtures";

const CLINICIAN: UserView = {
  id: 2,
  name: "Dr Clinician Synthetic",
  roles: ["clinician"],
  disabled: false,
  lockedUntil: null,
};

async function openSettings(b: FixtureBackend): Promise<FixtureBackend> {
  render(
    <BackendProvider backend={b}>
      <App />
    </BackendProvider>,
  );
  await userEvent.click(await screen.findByRole("button", { name: "Settings" }));
  await screen.findByLabelText("Incoming folder");
  return b;
}

function asAdministrator(): FixtureBackend {
  const b = backend();
  b.userList = [FIXTURE_USER, CLINICIAN];
  return b;
}

function asClinician(): FixtureBackend {
  const b = backend();
  b.userList = [FIXTURE_USER, CLINICIAN];
  b.sessionView = signedInSession(CLINICIAN);
  return b;
}

const usersSection = () => screen.getByRole("heading", { name: "Users" }).closest("section") as HTMLElement;
const userRow = (name: string) => {
  const row = within(usersSection())
    .getAllByTestId("user-row")
    .find((r) => r.querySelector("td")?.textContent?.startsWith(name));
  if (!row) throw new Error(`No row for ${name}`);
  return row;
};

describe("users in Settings", () => {
  it("lists every profile with its roles and status for an administrator", async () => {
    await openSettings(asAdministrator());
    await within(usersSection()).findAllByTestId("user-row");
    const me = userRow(FIXTURE_USER.name);
    expect(within(me).getByText("Administrator · Clinician · Prescriber")).toBeTruthy();
    expect(within(me).getByText("(you)")).toBeTruthy();
    expect(within(userRow("Dr Clinician Synthetic")).getByText("Active")).toBeTruthy();
  });

  it("adds a user once the PIN is typed the same twice", async () => {
    const b = await openSettings(asAdministrator());
    const add = within(usersSection()).getByRole("form", { name: "Add a user" });
    await userEvent.type(within(add).getByLabelText("Name"), "Nurse Prescriber Synthetic");
    await userEvent.click(within(add).getByLabelText("Clinician"));
    await userEvent.click(within(add).getByLabelText("Prescriber"));
    await userEvent.type(within(add).getByLabelText("PIN"), "13579");
    await userEvent.type(within(add).getByLabelText("Confirm PIN"), "13570");
    await userEvent.click(within(add).getByRole("button", { name: "Add user" }));
    expect((await within(add).findByRole("alert")).textContent).toContain("different");

    await userEvent.clear(within(add).getByLabelText("Confirm PIN"));
    await userEvent.type(within(add).getByLabelText("Confirm PIN"), "13579");
    await userEvent.click(within(add).getByRole("button", { name: "Add user" }));
    expect(
      await within(usersSection()).findByText("Nurse Prescriber Synthetic can now sign in."),
    ).toBeTruthy();
    const row = userRow("Nurse Prescriber Synthetic");
    // Clinician was unticked (it is ticked by default), prescriber ticked.
    expect(within(row).getByText("Prescriber")).toBeTruthy();
    expect(b.userList.find((u) => u.name === "Nurse Prescriber Synthetic")?.roles).toEqual(["prescriber"]);
  });

  it("shows the core's reason when a user cannot be added", async () => {
    await openSettings(asAdministrator());
    const add = within(usersSection()).getByRole("form", { name: "Add a user" });
    await userEvent.type(within(add).getByLabelText("Name"), "Dr Short Pin");
    await userEvent.type(within(add).getByLabelText("PIN"), "12");
    await userEvent.type(within(add).getByLabelText("Confirm PIN"), "12");
    await userEvent.click(within(add).getByRole("button", { name: "Add user" }));
    expect((await within(add).findByRole("alert")).textContent).toBe("A PIN is 4 to 12 digits.");
  });

  it("changes roles, disables and enables, and resets a PIN", async () => {
    const b = await openSettings(asAdministrator());
    await within(usersSection()).findAllByTestId("user-row");
    await userEvent.click(screen.getByRole("button", { name: "Change roles for Dr Clinician Synthetic" }));
    const roles = screen.getByRole("form", { name: "Roles for Dr Clinician Synthetic" });
    await userEvent.click(within(roles).getByLabelText("Trainer"));
    await userEvent.click(within(roles).getByRole("button", { name: "Save roles" }));
    expect(await screen.findByText("Dr Clinician Synthetic's roles changed.")).toBeTruthy();
    expect(within(userRow("Dr Clinician Synthetic")).getByText("Clinician · Trainer")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Disable Dr Clinician Synthetic" }));
    expect(await within(userRow("Dr Clinician Synthetic")).findByText("Disabled")).toBeTruthy();
    expect(b.userList.find((u) => u.id === 2)?.disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Enable Dr Clinician Synthetic" }));
    expect(await within(userRow("Dr Clinician Synthetic")).findByText("Active")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Reset PIN for Dr Clinician Synthetic" }));
    const reset = screen.getByRole("form", { name: "New PIN for Dr Clinician Synthetic" });
    await userEvent.type(within(reset).getByLabelText("New PIN"), "8642");
    await userEvent.type(within(reset).getByLabelText("Confirm new PIN"), "8642");
    await userEvent.click(within(reset).getByRole("button", { name: "Reset PIN" }));
    expect(await screen.findByText("Dr Clinician Synthetic's PIN was reset.")).toBeTruthy();
    expect(b.calls.filter((c) => c === "updateUser:2")).toHaveLength(4);
  });

  it("is not offered to anyone but an administrator, and settings are read-only", async () => {
    const b = await openSettings(asClinician());
    expect(screen.getByTestId("users-not-allowed").textContent).toBe(
      "Only an administrator can manage users.",
    );
    expect(screen.queryByRole("form", { name: "Add a user" })).toBeNull();
    expect(b.calls).not.toContain("users");
    expect(screen.getByTestId("settings-read-only")).toBeTruthy();
    expect(screen.getByLabelText("Incoming folder").matches(":disabled")).toBe(true);
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    // Training mode is for trainers and administrators.
    expect(screen.queryByRole("button", { name: "Switch to training mode" })).toBeNull();
    expect(screen.getByTestId("training-not-allowed")).toBeTruthy();
  });
});

describe("acknowledgement and sign-in settings", () => {
  it("shows where acknowledgements go, and that the environment decides it", async () => {
    const b = asAdministrator();
    b.settingsView = {
      ...b.settingsView,
      effectiveOutboxDir: "/srv/mesh/out",
      outboxFromEnvironment: true,
    };
    await openSettings(b);
    const status = screen.getByTestId("outbox-status");
    expect(status.textContent).toContain("/srv/mesh/out");
    expect(status.textContent).toContain("set by GP2GP_INBOX_OUTBOX");
  });

  it("saves the outbox, the screen lock and the administrators' relaxation", async () => {
    const b = await openSettings(asAdministrator());
    await userEvent.type(screen.getByLabelText("Outbox folder"), "/srv/gp2gp/out");
    const minutes = screen.getByLabelText("Lock the screen after (minutes)");
    expect((minutes as HTMLInputElement).value).toBe("10");
    await userEvent.clear(minutes);
    await userEvent.type(minutes, "500");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("1 to 240 minutes");

    await userEvent.clear(minutes);
    await userEvent.type(minutes, "15");
    await userEvent.click(
      screen.getByLabelText("Administrators may decide before every section is reviewed"),
    );
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(b.settingsView.outboxDir).toBe("/srv/gp2gp/out");
    expect(b.settingsView.idleLockMinutes).toBe(15);
    expect(b.settingsView.relaxReviewForAdministrators).toBe(true);
    expect(screen.getByTestId("outbox-status").textContent).toContain("/srv/gp2gp/out");
    // The screen lock follows.
    expect(b.calls.filter((c) => c === "session").length).toBeGreaterThanOrEqual(2);
  });
});
