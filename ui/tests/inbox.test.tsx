import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../src/App";
import { BackendError } from "../src/backend/backend";
import { BackendProvider } from "../src/backend/context";
import type { FixtureBackend } from "../src/backend/fixture";
import { backend, transfer } from "./fixtures";

function renderApp(b: FixtureBackend) {
  return render(
    <BackendProvider backend={b}>
      <App />
    </BackendProvider>,
  );
}

describe("inbox screen", () => {
  it("lists transfers with NHS-formatted numbers and dates", async () => {
    renderApp(backend());
    const row = await screen.findByText("943 476 5919");
    const tr = row.closest("tr") as HTMLElement;
    expect(within(tr).getByText("Ready for review")).toBeTruthy();
    expect(
      within(tr).getByText("12 medications (5 repeat) · 3 allergies · 4 degraded · 2 missing attachments"),
    ).toBeTruthy();
    expect(within(tr).getByText("A20047")).toBeTruthy();
    expect(within(tr).getByText("10-Mar-2026 14:03")).toBeTruthy();
    expect(within(tr).getByText("12-Mar-2026 09:05")).toBeTruthy();
    expect(screen.getByText("Watching incoming folder")).toBeTruthy();
  });

  it("shows a new arrival as soon as the core announces it, without reloading", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    act(() => b.push({ kind: "transferStored", transfer: transfer({ id: 2, nhsNumber: "9442964410" }) }));
    expect(await screen.findByText("944 296 4410")).toBeTruthy();
    // The same event twice changes nothing.
    act(() => b.push({ kind: "transferStored", transfer: transfer({ id: 2, nhsNumber: "9442964410" }) }));
    expect(screen.getAllByText("944 296 4410")).toHaveLength(1);
    expect(b.calls.filter((c) => c === "snapshot")).toHaveLength(1);
  });

  it("names the registered patient with date of birth, and warns when nobody is registered", async () => {
    renderApp(
      backend({ transfers: [transfer(), transfer({ id: 2, nhsNumber: "9442964410", patient: null })] }),
    );
    const row = (await screen.findByText("943 476 5919")).closest("tr") as HTMLElement;
    expect(within(row).getByText("TESTPATIENT-SYNTHETIC, Ann")).toBeTruthy();
    expect(within(row).getByText("Born 12-Mar-1957 · Female")).toBeTruthy();
    const other = screen.getByText("944 296 4410").closest("tr") as HTMLElement;
    expect(within(other).getByText("Not registered here")).toBeTruthy();
    // Search finds patients by name.
    await userEvent.type(screen.getByPlaceholderText(/Search/), "testpatient");
    expect(screen.queryByText("944 296 4410")).toBeNull();
  });

  it("filters to overdue records and sorts the most urgent first", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-14T09:00:00Z"));
    try {
      renderApp(
        backend({
          transfers: [
            transfer({ id: 1, sentUtc: "2026-03-12T09:00:00Z", patient: null }),
            transfer({ id: 2, nhsNumber: "9442964410", sentUtc: "2026-03-01T09:00:00Z" }),
            transfer({
              id: 3,
              nhsNumber: "9990000018",
              sentUtc: "2026-03-10T09:00:00Z",
              status: "incomplete",
            }),
          ],
        }),
      );
      await screen.findByText("943 476 5919");
      const order = () =>
        screen.getAllByRole("row").flatMap((r) => (r.dataset.nhsNumber ? [r.dataset.nhsNumber] : []));
      expect(order()).toEqual(["9442964410", "9990000018", "9434765919"]);
      await userEvent.selectOptions(screen.getByLabelText(/Show/), "overdue");
      expect(order()).toEqual(["9442964410"]);
      await userEvent.selectOptions(screen.getByLabelText(/Show/), "incomplete");
      expect(order()).toEqual(["9990000018"]);
      await userEvent.selectOptions(screen.getByLabelText(/Show/), "all");
      await userEvent.selectOptions(screen.getByLabelText(/Sort by/), "name");
      expect(order()[2]).toBe("9434765919");
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts the 8-day window from when the record was sent", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-14T09:00:00Z"));
    try {
      renderApp(
        backend({
          transfers: [
            transfer(),
            transfer({ id: 2, nhsNumber: "9442964410", sentUtc: "2026-03-01T09:00:00Z" }),
          ],
        }),
      );
      const row = (await screen.findByText("943 476 5919")).closest("tr") as HTMLElement;
      expect(within(row).getByText("Day 3 of 8").className).toContain("countdown-due");
      const late = screen.getByText("944 296 4410").closest("tr") as HTMLElement;
      expect(within(late).getByText("Overdue: day 13 of 8").className).toContain("countdown-overdue");
    } finally {
      vi.useRealTimers();
    }
  });

  it("says which records wait for attachments and which are incomplete, with the code", async () => {
    renderApp(
      backend({
        transfers: [
          transfer({ id: 1, status: "awaitingAttachments", partsExpected: 3, partsMissing: 2 }),
          transfer({
            id: 2,
            nhsNumber: "9442964410",
            status: "incomplete",
            partsExpected: 1,
            partsMissing: 1,
            failureCode: "25",
            failureReason: "Large messages rejected due to timeout duration reached of overall transfer",
          }),
        ],
      }),
    );
    const waiting = (await screen.findByText("943 476 5919")).closest("tr") as HTMLElement;
    expect(within(waiting).getByText("Awaiting attachments")).toBeTruthy();
    expect(within(waiting).getByText("2 of 3 parts to come")).toBeTruthy();
    const incomplete = screen.getByText("944 296 4410").closest("tr") as HTMLElement;
    expect(within(incomplete).getByText(/Incomplete · code 25/)).toBeTruthy();
    expect(within(incomplete).getByText(/timeout duration reached/)).toBeTruthy();
  });

  it("updates a listed record when its attachments arrive", async () => {
    const waiting = transfer({ status: "awaitingAttachments", partsExpected: 1, partsMissing: 1 });
    const b = backend({ transfers: [waiting] });
    renderApp(b);
    await screen.findByText("Awaiting attachments");
    act(() => b.push({ kind: "transferStored", transfer: { ...waiting, status: "ready", partsMissing: 0 } }));
    expect(await screen.findByText("Ready for review")).toBeTruthy();
    expect(screen.queryByText("Awaiting attachments")).toBeNull();
    expect(screen.getAllByText("943 476 5919")).toHaveLength(1);
  });

  it("shows the original message as received and saves a copy", async () => {
    const b = backend();
    renderApp(b);
    await userEvent.click(await screen.findByRole("button", { name: "View original extract-1.xml" }));
    const panel = (await screen.findByRole("heading", { name: /Original message: extract-1.xml/ })).closest(
      "section",
    ) as HTMLElement;
    expect(within(panel).getByTestId("original-text").textContent).toContain("<EhrExtract>");
    expect(within(panel).getByText(/4.0 KB exactly as received/)).toBeTruthy();
    await userEvent.click(within(panel).getByRole("button", { name: "Save a copy" }));
    expect((await within(panel).findByRole("status")).textContent).toContain(
      "/home/practice/Downloads/extract-1.xml",
    );
    expect(b.calls).toContain("exportOriginal:1");
    await userEvent.click(within(panel).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("heading", { name: /Original message/ })).toBeNull();
  });

  it("lists quarantined files with their reason", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    act(() =>
      b.push({
        kind: "quarantined",
        entry: {
          id: 7,
          fileName: "junk.bin",
          quarantineName: "junk.bin",
          reasonCode: "not_xml",
          reason: "The file is not well-formed XML (17 bytes)",
          quarantinedAt: "2026-03-12T10:00:00Z",
          sizeBytes: 17,
        },
      }),
    );
    const row = (await screen.findByText("junk.bin")).closest("tr") as HTMLElement;
    expect(within(row).getByText("The file is not well-formed XML (17 bytes)")).toBeTruthy();
  });

  it("says plainly when the folder cannot be watched", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    act(() =>
      b.push({
        kind: "watchChanged",
        status: {
          incomingDir: "/gone",
          incomingSource: "setting",
          watching: false,
          problem: "The incoming folder /gone has disappeared.",
        },
      }),
    );
    expect((await screen.findByTestId("watch-problem")).textContent).toContain("has disappeared");
    expect(screen.getByText("Not watching")).toBeTruthy();
  });

  it("marks samples and NHS numbers that fail their check", async () => {
    renderApp(
      backend({
        transfers: [
          transfer({ id: 1, sample: true }),
          transfer({ id: 2, nhsNumber: "1234567890", nhsNumberValid: false }),
        ],
      }),
    );
    await screen.findByText("943 476 5919");
    expect(screen.getAllByText("Sample").length).toBeGreaterThan(0);
    const bad = screen.getByText("123 456 7890").closest("tr") as HTMLElement;
    expect(within(bad).getByText("Check NHS number")).toBeTruthy();
  });

  it("searches by NHS number with or without spaces", async () => {
    renderApp(
      backend({
        transfers: [transfer({ id: 1 }), transfer({ id: 2, nhsNumber: "9442964410", sendingOds: "M85019" })],
      }),
    );
    await screen.findByText("943 476 5919");
    await userEvent.type(screen.getByRole("searchbox"), "944 296");
    expect(screen.queryByText("943 476 5919")).toBeNull();
    expect(screen.getByText("944 296 4410")).toBeTruthy();
  });

  it("has a helpful empty state", async () => {
    renderApp(backend({ transfers: [] }));
    expect(await screen.findByText("No records yet.")).toBeTruthy();
  });

  it("shows the core's message when the inbox cannot load", async () => {
    const b = backend();
    b.failSnapshot = new BackendError({ code: "storage", message: "The database is locked." });
    renderApp(b);
    expect((await screen.findByRole("alert")).textContent).toContain("The database is locked.");
  });

  it("stops listening when closed", async () => {
    const b = backend();
    const { unmount } = renderApp(b);
    await screen.findByText("943 476 5919");
    expect(b.listeners).toBe(1);
    unmount();
    expect(b.listeners).toBe(0);
  });
});
