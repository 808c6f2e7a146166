import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/App";
import { BackendProvider } from "../src/backend/context";
import { FIXTURE_USER, type FixtureBackend } from "../src/backend/fixture";
import type { AuditEntryView } from "../src/bindings/AuditEntryView";
import { backend } from "./fixtures";

const entry = (over: Partial<AuditEntryView>): AuditEntryView => ({
  id: 1,
  at: "2026-11-21T14:03:05Z",
  userName: "Dr Test Synthetic",
  role: "administrator+clinician+prescriber",
  action: "sign_in",
  transferId: null,
  detail: "",
  ...over,
});

/** Newest first, as the core lists them. */
const ENTRIES: AuditEntryView[] = [
  entry({ id: 5, at: "2026-11-21T14:20:00Z", action: "decision", transferId: 12, detail: "integrated" }),
  entry({
    id: 4,
    at: "2026-11-21T14:10:00Z",
    action: "review_mark",
    transferId: 12,
    detail: "3 items reviewed",
  }),
  entry({
    id: 3,
    at: "2026-11-21T14:05:00Z",
    userName: "Dr Clinician Synthetic",
    role: "clinician",
    action: "view_record",
    transferId: 9,
  }),
  entry({ id: 2, at: "2026-11-21T14:04:00Z", action: "sign_in_failed", detail: "wrong PIN (1 in a row)" }),
  entry({ id: 1 }),
];

async function openAudit(b: FixtureBackend = backend()): Promise<FixtureBackend> {
  b.auditEntries = ENTRIES;
  b.userList = [
    FIXTURE_USER,
    { id: 2, name: "Dr Clinician Synthetic", roles: ["clinician"], disabled: false, lockedUntil: null },
  ];
  render(
    <BackendProvider backend={b}>
      <App />
    </BackendProvider>,
  );
  await userEvent.click(await screen.findByRole("button", { name: "Audit" }));
  await screen.findAllByTestId("audit-row");
  return b;
}

const actions = () => screen.getAllByTestId("audit-row").map((r) => r.dataset.action);

describe("audit screen", () => {
  it("lists entries newest first with time to the second, user, role, action and transfer", async () => {
    await openAudit();
    const rows = screen.getAllByTestId("audit-row");
    expect(rows).toHaveLength(5);
    const first = rows[0] as HTMLElement;
    expect(within(first).getByText("21-Nov-2026 14:20:00")).toBeTruthy();
    expect(within(first).getByText("Dr Test Synthetic")).toBeTruthy();
    expect(within(first).getByText("Administrator · Clinician · Prescriber")).toBeTruthy();
    expect(within(first).getByText("Decision")).toBeTruthy();
    expect(within(first).getByRole("button", { name: "Open transfer 12" })).toBeTruthy();
    expect(within(first).getByText("integrated")).toBeTruthy();
    expect(within(rows[4] as HTMLElement).getByText("21-Nov-2026 14:03:05")).toBeTruthy();
    expect(within(rows[4] as HTMLElement).getByText("Signed in")).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText("Viewed record")).toBeTruthy();
    expect(within(rows[1] as HTMLElement).getByText("Marked items")).toBeTruthy();
  });

  it("filters by user, action and transfer", async () => {
    const b = await openAudit();
    await userEvent.selectOptions(screen.getByLabelText("Action"), "sign_in_failed");
    expect(actions()).toEqual(["sign_in_failed"]);
    expect(b.calls).toContain("auditList:sign_in_failed");

    await userEvent.selectOptions(screen.getByLabelText("Action"), "");
    await userEvent.selectOptions(screen.getByLabelText("User"), "Dr Clinician Synthetic");
    expect(actions()).toEqual(["view_record"]);

    await userEvent.selectOptions(screen.getByLabelText("User"), "");
    await userEvent.type(screen.getByLabelText("Transfer"), "12");
    expect(actions()).toEqual(["decision", "review_mark"]);

    await userEvent.type(screen.getByLabelText("Transfer"), "x");
    expect(screen.getByText("A transfer is a number, such as 12.")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(actions()).toHaveLength(5);
  });

  it("says when nothing matches", async () => {
    await openAudit();
    await userEvent.selectOptions(screen.getByLabelText("Action"), "export");
    expect(await screen.findByText("No entries match these filters.")).toBeTruthy();
  });

  it("checks the chain and says it is intact", async () => {
    const b = backend();
    await openAudit(b);
    b.auditCheck = { ok: true, entries: 1234, problem: null };
    await userEvent.click(screen.getByRole("button", { name: "Check the audit trail" }));
    const result = await screen.findByTestId("audit-check");
    expect(result.textContent).toBe("Intact: 1,234 entries, every one linked to the one before.");
    expect(result.className).toContain("ok");
  });

  it("says where the chain is broken", async () => {
    const b = backend();
    await openAudit(b);
    b.auditCheck = { ok: false, entries: 40, problem: "Entry 17: its content no longer matches its hash" };
    await userEvent.click(screen.getByRole("button", { name: "Check the audit trail" }));
    const result = await screen.findByTestId("audit-check");
    expect(result.textContent).toContain("Broken at Entry 17: its content no longer matches its hash");
    expect(result.className).toContain("broken");
  });

  it("opens a transfer from its entry", async () => {
    await openAudit();
    await userEvent.click(screen.getAllByRole("button", { name: "Open transfer 12" })[0] as HTMLElement);
    expect(screen.queryAllByTestId("audit-row")).toHaveLength(0);
    expect(screen.getByRole("button", { name: "Inbox" }).getAttribute("aria-current")).toBe("true");
  });
});
