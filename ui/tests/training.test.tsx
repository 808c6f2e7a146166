import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import { BackendProvider } from "../src/backend/context";
import type { FixtureBackend } from "../src/backend/fixture";
import { backend } from "./fixtures";

function renderApp(b: FixtureBackend) {
  return render(
    <BackendProvider backend={b}>
      <App />
    </BackendProvider>,
  );
}

describe("training mode", () => {
  it("marks every screen of the training inbox", async () => {
    const b = backend({ training: true });
    renderApp(b);
    expect((await screen.findByTestId("training-banner")).textContent).toContain(
      "TRAINING — synthetic records",
    );
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.getByTestId("training-banner")).toBeTruthy();
  });

  it("shows no watermark on the live inbox", async () => {
    renderApp(backend());
    await screen.findByText("943 476 5919");
    expect(screen.queryByTestId("training-banner")).toBeNull();
  });

  it("is switched on in Settings, reloads the inbox, resets, and is switched off", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    await userEvent.click(await screen.findByRole("button", { name: "Switch to training mode" }));
    expect(await screen.findByTestId("training-banner")).toBeTruthy();
    expect(b.calls).toContain("setTraining:true");
    expect(b.calls.filter((c) => c === "snapshot")).toHaveLength(2);
    expect(screen.getByText("/data/training/incoming")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Reset training data" }));
    expect((await screen.findByRole("status")).textContent).toBe("Training data reset: 1 record ready.");
    expect(b.calls).toContain("resetTraining:every");

    // One scenario only.
    await userEvent.selectOptions(screen.getByLabelText("Scenario set"), "degraded-drug-allergy");
    expect(screen.getByText(/prescribing must wait/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Reset training data" }));
    expect((await screen.findByRole("status")).textContent).toBe("Training data reset: 3 records ready.");
    expect(b.calls).toContain("resetTraining:degraded-drug-allergy");

    await userEvent.click(screen.getByRole("button", { name: "Leave training mode" }));
    await screen.findByRole("button", { name: "Switch to training mode" });
    expect(screen.queryByTestId("training-banner")).toBeNull();
  });
});
