import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import { BackendProvider } from "../src/backend/context";
import { signedInSession } from "../src/backend/fixture";
import { backend as fixtureBackend } from "./fixtures";

function renderApp() {
  const backend = fixtureBackend();
  render(
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>,
  );
  return { backend };
}

describe("registrations import in Settings", () => {
  it("imports a file and says what was left out", async () => {
    const { backend } = renderApp();
    backend.registrationFiles["/home/practice/regs.csv"] = {
      imported: 41,
      skipped: [[7, "The NHS number 123 fails its check digit."]],
    };
    await userEvent.click(await screen.findByRole("button", { name: "Settings" }));
    await userEvent.type(await screen.findByLabelText("File to import"), "/home/practice/regs.csv");
    await userEvent.click(screen.getByRole("button", { name: "Import registrations" }));
    const report = await screen.findByTestId("registrations-report");
    expect(report.textContent).toContain("41 registrations imported; 1 left out:");
    expect(report.textContent).toContain("Line 7: The NHS number 123 fails its check digit.");
    expect(backend.calls).toContain("importRegistrations:/home/practice/regs.csv");
  });

  it("shows the core's reason for a file it cannot read", async () => {
    const { backend } = renderApp();
    await userEvent.click(await screen.findByRole("button", { name: "Settings" }));
    await userEvent.type(await screen.findByLabelText("File to import"), "regs.csv");
    await userEvent.click(screen.getByRole("button", { name: "Import registrations" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Give the full path");
    expect(backend.calls.filter((c) => c.startsWith("importRegistrations"))).toHaveLength(1);
  });

  it("is for administrators only", async () => {
    const backend = fixtureBackend();
    backend.sessionView = signedInSession({
      id: 2,
      name: "Dr Synthetic Clinician",
      roles: ["clinician"],
      disabled: false,
      lockedUntil: null,
    });
    render(
      <BackendProvider backend={backend}>
        <App />
      </BackendProvider>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Settings" }));
    expect(await screen.findByText("Only an administrator can import registrations.")).toBeTruthy();
    expect(screen.queryByLabelText("File to import")).toBeNull();
  });
});
