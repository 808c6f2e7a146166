import { act, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../src/App";
import { BackendProvider } from "../src/backend/context";
import type { FixtureBackend } from "../src/backend/fixture";
import type { TransferRow } from "../src/bindings/TransferRow";
import { arrange } from "../src/inbox/arrange";
import { InboxScreen } from "../src/inbox/InboxScreen";
import { attentionSummary } from "../src/inbox/summary";
import { ROW_HEIGHT } from "../src/inbox/TransferTable";
import { backend, snapshot, transfer } from "./fixtures";

function renderApp(b: FixtureBackend) {
  return render(
    <BackendProvider backend={b}>
      <App />
    </BackendProvider>,
  );
}

const rowIds = () => screen.queryAllByTestId("transfer-row").map((r) => Number(r.dataset.transferId));

/** A synthetic patient per number, with a valid-looking ten-digit NHS number. */
function many(n: number): TransferRow[] {
  return Array.from({ length: n }, (_, i) =>
    transfer({
      id: i + 1,
      nhsNumber: String(9000000000 + i),
      patient: {
        givenName: `Given${i + 1}`,
        familyName: `Synthetic-${String(i + 1).padStart(5, "0")}`,
        dateOfBirth: "1957-03-12",
        sex: "female",
        postcode: "ZZ99 1AA",
      },
    }),
  );
}

describe("inbox list", () => {
  it("hides decided records from the open view and lists them under Decided, without a countdown", async () => {
    renderApp(
      backend({
        transfers: [
          transfer({ id: 1 }),
          transfer({
            id: 2,
            nhsNumber: "9442964410",
            status: "integrated",
            statusAt: "2026-03-13T10:15:00Z",
          }),
          transfer({ id: 3, nhsNumber: "9990000018", status: "rejected" }),
          transfer({ id: 4, nhsNumber: "9990000026", status: "suppressed" }),
        ],
      }),
    );
    await screen.findByText("943 476 5919");
    expect(rowIds()).toEqual([1]);
    expect((screen.getByLabelText(/Show/) as HTMLSelectElement).value).toBe("open");

    await userEvent.selectOptions(screen.getByLabelText(/Show/), "decided");
    expect(rowIds().sort()).toEqual([2, 3, 4]);
    const integrated = screen.getByText("944 296 4410").closest("tr") as HTMLElement;
    expect(within(integrated).getByText("Integrated")).toBeTruthy();
    expect(within(integrated).getByText("13-Mar-2026 10:15")).toBeTruthy();
    expect(within(integrated).getByText("Decided")).toBeTruthy();
    expect(within(integrated).queryByText(/of 8/)).toBeNull();
    expect(screen.getByText("Rejected")).toBeTruthy();
    expect(screen.getByText("Suppressed")).toBeTruthy();

    await userEvent.selectOptions(screen.getByLabelText(/Show/), "all");
    expect(rowIds()).toHaveLength(4);
    // Decided records come last when the most urgent are first.
    expect(rowIds()[0]).toBe(1);
  });

  it("moves a record to Decided when the core announces the decision", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    act(() =>
      b.push({
        kind: "transferStored",
        transfer: transfer({ status: "integrated", statusAt: "2026-03-13T10:15:00Z" }),
      }),
    );
    expect(await screen.findByText(/No records in/)).toBeTruthy();
    await userEvent.selectOptions(screen.getByLabelText(/Show/), "decided");
    expect(screen.getByText("Integrated")).toBeTruthy();
  });

  it("searches by family or given name, whatever the case", async () => {
    renderApp(
      backend({
        transfers: [
          transfer({ id: 1 }),
          transfer({
            id: 2,
            nhsNumber: "9442964410",
            patient: {
              givenName: "Bob",
              familyName: "Example-Synthetic",
              dateOfBirth: "1980-01-02",
              sex: "male",
              postcode: "ZZ99 1AA",
            },
          }),
        ],
      }),
    );
    await screen.findByText("943 476 5919");
    const search = screen.getByLabelText("Search by name or NHS number");
    await userEvent.type(search, "EXAMPLE");
    expect(rowIds()).toEqual([2]);
    await userEvent.clear(search);
    await userEvent.type(search, "ann");
    expect(rowIds()).toEqual([1]);
    await userEvent.clear(search);
    await userEvent.type(search, "ann testpatient");
    expect(rowIds()).toEqual([1]);
    await userEvent.clear(search);
    await userEvent.type(search, "nobody");
    expect(rowIds()).toEqual([]);
    expect(screen.getByTestId("no-match").textContent).toContain("No records match “nobody”");
  });

  it("searches by NHS number typed with spaces", async () => {
    renderApp(backend({ transfers: [transfer({ id: 1 }), transfer({ id: 2, nhsNumber: "9442964410" })] }));
    await screen.findByText("943 476 5919");
    const search = screen.getByLabelText("Search by name or NHS number");
    await userEvent.type(search, "943 476 5919");
    expect(rowIds()).toEqual([1]);
    await userEvent.clear(search);
    await userEvent.type(search, " 296 44");
    expect(rowIds()).toEqual([2]);
  });

  it("says in a few words what needs reviewing", async () => {
    // Only active repeats need re-authorising; past ones do not count.
    expect(attentionSummary(transfer())).toBe(
      "2 repeats to re-authorise · 4 degraded · 2 missing attachments",
    );
    expect(
      attentionSummary(
        transfer({
          activeRepeats: 1,
          degradedDrugAllergies: 1,
          counts: { ...transfer().counts, repeatCourses: 6, degraded: 1, absentAttachments: 1 },
        }),
      ),
    ).toBe("1 repeat to re-authorise · 1 degraded drug allergy · 1 degraded · 1 missing attachment");
    expect(attentionSummary(transfer({ status: "integrated" }))).toBeNull();
    renderApp(backend());
    const row = (await screen.findByText("943 476 5919")).closest("tr") as HTMLElement;
    expect(
      within(row).getByText("2 repeats to re-authorise · 4 degraded · 2 missing attachments"),
    ).toBeTruthy();
    expect(screen.getByRole("columnheader", { name: "To review" })).toBeTruthy();
  });

  it("opens a record from its Review button, or Enter on the row", async () => {
    const onOpen = vi.fn();
    render(
      <InboxScreen
        snapshot={snapshot({
          transfers: [transfer({ id: 1 }), transfer({ id: 2, nhsNumber: "9442964410" })],
        })}
        onOpen={onOpen}
      />,
    );
    const rows = screen.getAllByTestId("transfer-row");
    await userEvent.click(within(rows[0] as HTMLElement).getByRole("button", { name: "Review" }));
    expect(onOpen).toHaveBeenLastCalledWith(Number((rows[0] as HTMLElement).dataset.transferId));

    const second = rows[1] as HTMLElement;
    second.focus();
    await userEvent.keyboard("{Enter}");
    expect(onOpen).toHaveBeenLastCalledWith(Number(second.dataset.transferId));
    // Arrows move between rows.
    await userEvent.keyboard("{ArrowUp}");
    expect(document.activeElement).toBe(screen.getAllByTestId("transfer-row")[0]);
    expect(onOpen).toHaveBeenCalledTimes(2);
  });

  it("opens the review screen, and the Inbox tab comes back", async () => {
    const b = backend();
    renderApp(b);
    await screen.findByText("943 476 5919");
    await userEvent.type(screen.getByLabelText("Search by name or NHS number"), "ann");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(screen.getByTestId("inbox-screen").hidden).toBe(true);
    expect(screen.queryByRole("button", { name: "Review" })).toBeNull();
    await vi.waitFor(() => expect(b.review.calls).toContain("reviewOpen:1"));
    await userEvent.click(screen.getByRole("button", { name: "Inbox" }));
    expect(screen.getByTestId("inbox-screen").hidden).toBe(false);
    // Where the user was: the same search, the focus on the record just reviewed.
    expect((screen.getByLabelText("Search by name or NHS number") as HTMLInputElement).value).toBe("ann");
    expect((document.activeElement as HTMLElement).dataset.transferId).toBe("1");
  });

  it("renders only the rows in view of 10,000, and the others as it scrolls", async () => {
    const b = backend({ transfers: many(10_000) });
    renderApp(b);
    await screen.findByText("10,000 records", { exact: false });
    const list = screen.getByTestId("transfer-list");
    const shown = rowIds();
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThan(40);
    // Same send and arrival time: the newest id first.
    expect(shown[0]).toBe(10_000);
    expect(within(list).getByRole("table").getAttribute("aria-rowcount")).toBe("10001");

    list.scrollTop = 5_000 * ROW_HEIGHT;
    fireEvent.scroll(list);
    const later = rowIds();
    expect(later.length).toBeLessThan(40);
    expect(later).toContain(5_000);
    expect(later).not.toContain(10_000);
    expect(screen.getByText("Synthetic-05000".toUpperCase(), { exact: false })).toBeTruthy();

    // A search goes back to the top of what it finds.
    await userEvent.type(screen.getByLabelText("Search by name or NHS number"), "900 000 0099");
    expect(list.scrollTop).toBe(0);
    expect(rowIds()).toEqual([100]);
  });

  it("arranges 10,000 records quickly enough to type into the search box", () => {
    const all = many(10_000);
    const now = new Date("2026-03-14T09:00:00Z");
    const started = performance.now();
    for (const q of ["", "syn", "9000 00", "given123"]) arrange(all, q, "open", "name", now);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(arrange(all, "given1234", "all", "name", now).map((t) => t.id)).toEqual([1234]);
  });
});
