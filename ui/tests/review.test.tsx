import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { StrictMode } from "react";
import { describe, expect, it, vi } from "vitest";
import { BackendError } from "../src/backend/backend";
import { BackendProvider } from "../src/backend/context";
import { syntheticRecord, syntheticTimeline } from "../src/backend/fixture-review";
import type { ReviewView } from "../src/bindings/ReviewView";
import { ReviewScreen } from "../src/review/ReviewScreen";
import { renderReview, reviewBackend, reviewEverything, signInAs } from "./review-fixtures";

const items = () => screen.getAllByTestId("review-item");
const progress = (section: string) => screen.getByTestId(`section-progress-${section}`).textContent ?? "";
const sectionCalls = (calls: string[]) => calls.filter((c) => c.startsWith("reviewSection"));

async function openTab(name: string) {
  await userEvent.click(screen.getByRole("tab", { name }));
  if (["Medications", "Allergies", "Degraded codes", "Attachments"].includes(name)) {
    await screen.findAllByTestId("review-item");
  }
}

describe("review screen: banner and summary", () => {
  it("opens the record once and shows the patient banner in NHS style", async () => {
    const b = reviewBackend();
    renderReview(b);
    const banner = await screen.findByTestId("patient-banner");
    expect(within(banner).getByTestId("patient-name").textContent).toBe("TESTPATIENT-SYNTHETIC, Ann");
    expect(within(banner).getByTestId("patient-nhs-number").textContent).toBe("943 476 5919");
    expect(banner.textContent).toMatch(/Born12-Mar-1957 \(\d+y\)/);
    expect(banner.textContent).toContain("Female");
    expect(banner.textContent).toContain("SYN123");
    expect(within(banner).getByTestId("record-status").textContent).toBe("Ready for review");
    expect(b.calls.concat(b.review.calls).filter((c) => c.startsWith("reviewOpen"))).toEqual([
      "reviewOpen:1",
    ]);
    expect(screen.queryByTestId("patient-warnings")).toBeNull();
  });

  it("makes audited calls once under StrictMode (record view, attachment view)", async () => {
    const b = reviewBackend();
    render(
      <StrictMode>
        <BackendProvider backend={b}>
          <ReviewScreen transferId={1} session={b.sessionView} onClose={() => {}} />
        </BackendProvider>
      </StrictMode>,
    );
    await screen.findByTestId("patient-banner");
    await openTab("Attachments");
    await userEvent.click(within(items()[4] as HTMLElement).getByRole("button", { name: "Open" }));
    await screen.findByText(/Please review chest pain/);
    await userEvent.click(screen.getByRole("tab", { name: "Original message" }));
    await screen.findByTestId("original-text");
    const count = (prefix: string) =>
      b.calls.concat(b.review.calls).filter((c) => c.startsWith(prefix)).length;
    expect(count("reviewOpen")).toBe(1);
    expect(count("attachmentOpen")).toBe(1);
    expect(count("original")).toBe(1);
    expect(count("reviewSection")).toBe(1);
  });

  it("names an unregistered patient as unknown and shows the wrong-patient warning under the banner", async () => {
    renderReview(reviewBackend({ unregistered: true }));
    expect((await screen.findByTestId("patient-name")).textContent).toBe(
      "Unknown patient — not registered here",
    );
    const warning = screen.getByTestId("patient-warnings");
    expect(warning.textContent).toContain(
      "No patient registered at this practice has NHS number 943 476 5919",
    );
  });

  it("says when the patient is returning", async () => {
    renderReview(reviewBackend({ returning: true }));
    expect((await screen.findByTestId("returning-patient")).textContent).toContain(
      "Returning patient: an earlier record for this NHS number is held (received 02-May-2019 09:30, integrated)",
    );
  });

  it("summarises what is unsafe, each count linking to its section", async () => {
    const b = reviewBackend();
    renderReview(b);
    const strip = await screen.findByTestId("safety-strip");
    expect(within(strip).getByTestId("strip-degraded-drug-allergies").textContent).toBe(
      "1 degraded drug allergy — prescribing blocked until recoded",
    );
    expect(within(strip).getByTestId("strip-repeats").textContent).toBe(
      "2 repeats to re-authorise — 0 already marked",
    );
    expect(within(strip).getByTestId("strip-missing-chase").textContent).toContain(
      "from this transfer (chase)",
    );
    expect(within(strip).getByTestId("strip-missing-earlier").textContent).toContain(
      "from an earlier transfer",
    );
    expect(screen.getByTestId("missing-chase").textContent).toContain("1 · The file was too large to send");
    expect(screen.getByTestId("missing-earlier").textContent).toContain(
      "1 · The file was missing at the previous transfer",
    );
    expect(screen.getByTestId("summary-count-possible-allergies").textContent).toBe("1");
    // The count links to its section, which loads then.
    expect(sectionCalls(b.review.calls)).toEqual([]);
    await userEvent.click(screen.getByTestId("summary-count-degraded-drug-allergies"));
    expect(screen.getByRole("tab", { name: "Allergies" }).getAttribute("aria-selected")).toBe("true");
    await screen.findAllByTestId("review-item");
    expect(sectionCalls(b.review.calls)).toEqual(["reviewSection:1:allergies"]);
  });

  it("goes back to the inbox with the button and with Escape", async () => {
    const onClose = vi.fn();
    renderReview(reviewBackend(), { onClose });
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("button", { name: "Back to inbox" }));
    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it("shows the core's message when the record cannot be opened", async () => {
    const b = reviewBackend();
    b.review.failNext.open = new BackendError({ code: "storage", message: "The database is busy." });
    renderReview(b);
    expect((await screen.findByRole("alert")).textContent).toContain("The database is busy.");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("patient-banner")).toBeTruthy();
  });
});

describe("review screen: sections", () => {
  it("has the tabs by name, with progress on the four review sections", async () => {
    renderReview(reviewBackend());
    await screen.findByTestId("patient-banner");
    const names = screen.getAllByRole("tab").map((t) => t.getAttribute("aria-label"));
    expect(names).toEqual([
      "Summary",
      "Medications",
      "Allergies",
      "Degraded codes",
      "Attachments",
      "Timeline",
      "Original message",
    ]);
    for (const name of names) expect(screen.getByRole("tab", { name: name ?? "" })).toBeTruthy();
    expect(progress("medications")).toBe("0 of 5");
    expect(progress("allergies")).toBe("0 of 4");
    expect(progress("degraded")).toBe("0 of 3");
    expect(progress("attachments")).toBe("0 of 5");
  });

  it("loads each section only when its tab is opened", async () => {
    const b = reviewBackend();
    renderReview(b);
    await screen.findByTestId("patient-banner");
    expect(sectionCalls(b.review.calls)).toEqual([]);
    await openTab("Medications");
    expect(sectionCalls(b.review.calls)).toEqual(["reviewSection:1:medications"]);
    await openTab("Attachments");
    expect(sectionCalls(b.review.calls)).toEqual([
      "reviewSection:1:medications",
      "reviewSection:1:attachments",
    ]);
    // Going back does not load it again.
    await openTab("Medications");
    expect(sectionCalls(b.review.calls)).toHaveLength(2);
  });

  it("shows a medication's essentials, with its issues on request", async () => {
    renderReview(reviewBackend());
    await screen.findByTestId("patient-banner");
    await openTab("Medications");
    const amlodipine = items()[0] as HTMLElement;
    expect(amlodipine.dataset.key).toBe("course:2");
    const text = amlodipine.textContent ?? "";
    for (const s of [
      "Amlodipine 5mg tablets",
      "Repeat",
      "Current",
      "Needs re-authorisation",
      "One to be taken each day",
      "28 tablet",
      "30-Oct-2026",
      "Issues14",
      "Repeats authorised6",
    ]) {
      expect(text).toContain(s);
    }
    expect(within(amlodipine).getByText("Show 14 issues")).toBeTruthy();
    const codeine = items()[2] as HTMLElement;
    expect(codeine.textContent).toContain("Degraded");
    const metformin = items()[1] as HTMLElement;
    expect(metformin.textContent).toContain("NOPAT");
    const simvastatin = items()[4] as HTMLElement;
    expect(simvastatin.textContent).toContain("Past · stopped");
    expect(simvastatin.textContent).toContain("Muscle aches");
  });

  it("lists the degraded drug allergy first, as blocking prescribing, with the original term", async () => {
    renderReview(reviewBackend());
    await screen.findByTestId("patient-banner");
    await openTab("Allergies");
    const first = items()[0] as HTMLElement;
    expect(first.textContent).toContain("Blocks prescribing");
    expect(first.textContent).toContain("H/O: penicillin allergy");
    expect(first.textContent).toContain("Urticarial rash");
    expect(items()[3]?.textContent).toContain("Possible allergy");
  });

  it("shows degraded codes and missing attachments with what is known of them", async () => {
    renderReview(reviewBackend());
    await screen.findByTestId("patient-banner");
    await openTab("Degraded codes");
    const d = items()[0]?.textContent ?? "";
    expect(d).toContain("Drug allergy (degraded)");
    expect(d).toContain("14L..");
    expect(d).toContain("Read v2");
    expect(d).toContain("196461000000101");
    expect(d).toContain("May-1998");
    await openTab("Attachments");
    const chase = items()[0]?.textContent ?? "";
    expect(chase).toContain("Chase: created by this transfer");
    expect(chase).toContain("The file was too large to send");
    expect(chase).toContain("SYN123");
    expect(items()[1]?.textContent).toContain("From an earlier transfer");
    expect(items()[2]?.textContent).toContain("47.1 KB");
    expect(within(items()[0] as HTMLElement).queryByRole("button", { name: "Open" })).toBeNull();
  });

  it("is driven by the keyboard: 1–4 switch sections, j/k move, space marks and moves on", async () => {
    const b = reviewBackend();
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await userEvent.keyboard("1");
    await screen.findAllByTestId("review-item");
    expect(screen.getByRole("tab", { name: "Medications" }).getAttribute("aria-selected")).toBe("true");
    expect(items()[0]?.getAttribute("aria-selected")).toBe("true");

    await userEvent.keyboard("jj");
    expect(items()[2]?.getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(items()[2]);
    await userEvent.keyboard("k");
    expect(items()[1]?.getAttribute("aria-selected")).toBe("true");

    await userEvent.keyboard(" ");
    await waitFor(() => expect(items()[1]?.dataset.mark).toBe("reviewed"));
    expect(items()[2]?.getAttribute("aria-selected")).toBe("true");
    await waitFor(() => expect(progress("medications")).toBe("1 of 5"));
    expect(items()[1]?.textContent).toContain("Reviewed ✓");
    expect(items()[1]?.textContent).toContain("by Dr Test Synthetic");

    await userEvent.keyboard("   ");
    await waitFor(() => expect(progress("medications")).toBe("4 of 5"));
    // Space on an item already reviewed only moves on.
    await userEvent.keyboard("kkk ");
    await waitFor(() => expect(items()[2]?.getAttribute("aria-selected")).toBe("true"));
    expect(items()[0]?.dataset.mark).toBe("");
    expect(b.review.calls.filter((c) => c.startsWith("reviewMark"))).toHaveLength(4);

    await userEvent.keyboard("4");
    await waitFor(() =>
      expect(screen.getByRole("tab", { name: "Attachments" }).getAttribute("aria-selected")).toBe("true"),
    );
    await screen.findAllByTestId("review-item");
    await userEvent.keyboard(" ");
    await waitFor(() => expect(progress("attachments")).toBe("1 of 5"));
  });

  it("a section key takes the focus off a button, so space marks the first item", async () => {
    const b = reviewBackend();
    renderReview(b);
    await screen.findByTestId("patient-banner");
    screen.getByRole("button", { name: "Back to inbox" }).focus();
    await userEvent.keyboard("1");
    await screen.findAllByTestId("review-item");
    await waitFor(() => expect(document.activeElement).toBe(items()[0]));
    await userEvent.keyboard(" ");
    await waitFor(() => expect(items()[0]?.dataset.mark).toBe("reviewed"));
  });

  it("marks every item not yet marked with one call", async () => {
    const b = reviewBackend();
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await openTab("Allergies");
    await userEvent.click(within(items()[1] as HTMLElement).getByRole("button", { name: "Mark reviewed" }));
    await waitFor(() => expect(progress("allergies")).toBe("1 of 4"));
    await userEvent.click(screen.getByRole("button", { name: "Mark all reviewed" }));
    await waitFor(() => expect(progress("allergies")).toContain("4 of 4"));
    expect(progress("allergies")).toContain("✓");
    expect(b.review.calls.filter((c) => c.startsWith("reviewMark"))).toHaveLength(2);
    expect(items().every((i) => i.dataset.mark === "reviewed")).toBe(true);
    expect((screen.getByRole("button", { name: "Mark all reviewed" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    // Clear takes a mark off again.
    await userEvent.click(within(items()[0] as HTMLElement).getByRole("button", { name: "Clear" }));
    await waitFor(() => expect(progress("allergies")).toBe("3 of 4"));
  });

  it("needs a note to flag an item, from the button or the f key", async () => {
    renderReview(reviewBackend());
    await screen.findByTestId("patient-banner");
    await openTab("Degraded codes");
    await userEvent.click(within(items()[1] as HTMLElement).getByRole("button", { name: "Flag…" }));
    const dialog = screen.getByRole("dialog", { name: "Flag item" });
    const flag = within(dialog).getByRole("button", { name: "Flag" }) as HTMLButtonElement;
    expect(flag.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText("Why is it flagged?"), "   ");
    expect(flag.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText("Why is it flagged?"), "Check dose with patient");
    expect(flag.disabled).toBe(false);
    await userEvent.click(flag);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await waitFor(() => expect(items()[1]?.dataset.mark).toBe("flagged"));
    expect(items()[1]?.textContent).toContain("Check dose with patient");
    expect(progress("degraded")).toBe("1 of 3");

    // f flags the cursor item; Escape closes the note without leaving the screen.
    await userEvent.keyboard("j");
    await userEvent.keyboard("f");
    expect(screen.getByRole("dialog", { name: "Flag item" })).toBeTruthy();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.getByTestId("patient-banner")).toBeTruthy();
  });

  it("lets a prescriber re-authorise an active repeat, and withdraw it", async () => {
    const b = reviewBackend();
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await openTab("Medications");
    const repeat = items()[0] as HTMLElement;
    await userEvent.click(within(repeat).getByRole("button", { name: "Re-authorise" }));
    await waitFor(() => expect(items()[0]?.textContent).toContain("Re-authorise (by Dr Test Synthetic)"));
    expect(
      within(items()[0] as HTMLElement)
        .getByRole("button", { name: "Re-authorise" })
        .getAttribute("aria-pressed"),
    ).toBe("true");
    expect(screen.getByTestId("strip-repeats").textContent).toContain("1 already marked");
    expect(b.review.calls).toContain("reviewIntention:1:reauthorise:course:2");
    // Only active repeats offer it.
    expect(within(items()[3] as HTMLElement).queryByRole("button", { name: "Re-authorise" })).toBeNull();
    await userEvent.click(within(items()[0] as HTMLElement).getByRole("button", { name: "Re-authorise" }));
    await waitFor(() =>
      expect(screen.getByTestId("strip-repeats").textContent).toContain("0 already marked"),
    );
  });

  it("does not offer re-authorisation or recoding to a user without the role, and says why", async () => {
    const b = reviewBackend();
    const session = signInAs(b, "Ann Admin-Synthetic", ["administrator"]);
    renderReview(b, { session });
    await screen.findByTestId("patient-banner");
    await openTab("Medications");
    expect(screen.queryByRole("button", { name: "Re-authorise" })).toBeNull();
    expect(within(items()[0] as HTMLElement).getByText("Only a prescriber can re-authorise")).toBeTruthy();
    await openTab("Degraded codes");
    expect(screen.queryByRole("button", { name: "Propose recode…" })).toBeNull();
    expect(within(items()[0] as HTMLElement).getByText("Only a clinician can propose a recode")).toBeTruthy();
  });

  it("proposes a recode with suggestions from codes the practice uses", async () => {
    const b = reviewBackend();
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await openTab("Degraded codes");
    await userEvent.click(within(items()[0] as HTMLElement).getByRole("button", { name: "Propose recode…" }));
    const dialog = screen.getByRole("dialog", { name: "Propose a recode" });
    const propose = within(dialog).getByRole("button", { name: "Propose recode" }) as HTMLButtonElement;
    expect(propose.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText("Term"), "penic");
    const suggestion = await within(dialog).findByRole("button", { name: /Allergy to penicillin/ });
    expect(b.review.calls).toContain("codeSuggestions:penic");
    await userEvent.click(suggestion);
    expect((within(dialog).getByLabelText("SNOMED CT code") as HTMLInputElement).value).toBe("91936005");
    expect((within(dialog).getByLabelText("Term") as HTMLInputElement).value).toBe("Allergy to penicillin");
    await userEvent.click(propose);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await waitFor(() =>
      expect(items()[0]?.textContent).toContain(
        "Recode → 91936005 Allergy to penicillin (by Dr Test Synthetic)",
      ),
    );
    // A code that is not a SNOMED CT id is refused before it is sent.
    await userEvent.click(within(items()[1] as HTMLElement).getByRole("button", { name: "Propose recode…" }));
    const again = screen.getByRole("dialog", { name: "Propose a recode" });
    await userEvent.type(within(again).getByLabelText("Term"), "Co-codamol");
    await userEvent.type(within(again).getByLabelText("SNOMED CT code"), "0123");
    expect(within(again).getByText(/6 to 18 digits/)).toBeTruthy();
    expect(
      (within(again).getByRole("button", { name: "Propose recode" }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });

  it("opens attachments in the viewer: image, text, and a PDF it cannot show here", async () => {
    const b = reviewBackend();
    const onClose = vi.fn();
    renderReview(b, { onClose });
    await screen.findByTestId("patient-banner");
    await openTab("Attachments");
    await userEvent.click(within(items()[3] as HTMLElement).getByRole("button", { name: "Open" }));
    const viewer = await screen.findByRole("dialog", { name: "ECG trace" });
    const img = (await within(viewer).findByRole("img", { name: "ECG trace" })) as HTMLImageElement;
    expect(img.src).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(b.review.calls).toContain("attachmentOpen:102");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(onClose).not.toHaveBeenCalled();

    await userEvent.click(within(items()[4] as HTMLElement).getByRole("button", { name: "Open" }));
    const text = await screen.findByRole("dialog", { name: "Referral notes" });
    expect(await within(text).findByText(/Please review chest pain on exertion/)).toBeTruthy();
    await userEvent.click(within(text).getByRole("button", { name: "Close" }));

    await userEvent.click(within(items()[2] as HTMLElement).getByRole("button", { name: "Open" }));
    const pdf = await screen.findByRole("dialog", { name: "Clinic letter: cardiology" });
    expect(await within(pdf).findByText("This PDF cannot be shown here — use Save a copy")).toBeTruthy();
  });
});

describe("review screen: decision", () => {
  it("shows why integration is not available until every section is reviewed", async () => {
    renderReview(reviewBackend());
    await screen.findByTestId("patient-banner");
    expect(screen.getByTestId("sections-reviewed").textContent).toContain("0 of 4 sections reviewed");
    await userEvent.click(screen.getByRole("button", { name: "Decide…" }));
    const dialog = screen.getByRole("dialog", { name: "Decision" });
    const integrate = within(dialog).getByRole("radio", { name: "Integrate" }) as HTMLInputElement;
    expect(integrate.disabled).toBe(true);
    expect(dialog.textContent).toContain("Review every section first: Medications (0 of 5 seen)");
    expect((within(dialog).getByRole("radio", { name: "Reject" }) as HTMLInputElement).disabled).toBe(false);
    expect(
      (within(dialog).getByRole("button", { name: "Send acknowledgement" }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });

  it("rejects with a mandatory reason, showing the exact acknowledgement", async () => {
    const b = reviewBackend();
    const decided: ReviewView[] = [];
    renderReview(b, { onDecided: (v) => decided.push(v) });
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("button", { name: "Decide…" }));
    const dialog = screen.getByRole("dialog", { name: "Decision" });
    await userEvent.click(within(dialog).getByRole("radio", { name: "Reject" }));
    const send = within(dialog).getByRole("button", { name: "Send acknowledgement" }) as HTMLButtonElement;
    const reason = within(dialog).getByLabelText("Reason") as HTMLSelectElement;
    // S65: a record that is not a returning patient's is rejected only as the wrong patient's:
    // the one reason there is is chosen, and shown with the exact acknowledgement.
    expect(reason.value).toBe("28");
    expect(send.disabled).toBe(false);
    const ref = "B3C6F1E2-5A5D-4C1B-9E0F-000000000001";
    const preview = within(dialog).getByTestId("ack-preview").textContent ?? "";
    expect(preview).toContain(
      `AE 28 — Non A-B-A EHR Extract Received and rejected due to wrong record or wrong patient · to ODS SYN123 · refers to extract ${ref}`,
    );
    expect(preview).toContain("written to /data/outbox");
    await userEvent.type(
      within(dialog).getByLabelText("Note (optional)"),
      "Wrong patient: different date of birth",
    );
    await userEvent.click(send);
    const banner = await screen.findByTestId("decision-made");
    expect(banner.textContent).toContain(
      "Rejected (28 — Non A-B-A EHR Extract Received and rejected due to wrong record or wrong patient) by Dr Test Synthetic on 21-Nov-2026 14:03",
    );
    expect(banner.textContent).toContain(
      "AE 28 acknowledgement written to the outbox: MCCI_IN010000UK13_AE-28_",
    );
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.queryByRole("button", { name: "Decide…" })).toBeNull();
    expect(decided).toHaveLength(1);
    expect(decided[0]?.decision.decided?.reasonCode).toBe("28");
    expect(b.review.calls).toContain("decide:1:reject");
    expect(screen.getByTestId("record-status").textContent).toBe("Rejected");
  });

  it("integrates once every section is reviewed: AA, and a green banner", async () => {
    const b = reviewBackend({ record: reviewEverything(syntheticRecord()) });
    renderReview(b);
    await screen.findByTestId("patient-banner");
    expect(progress("medications")).toContain("✓");
    await userEvent.click(screen.getByRole("button", { name: "Decide…" }));
    const dialog = screen.getByRole("dialog", { name: "Decision" });
    await userEvent.click(within(dialog).getByRole("radio", { name: "Integrate" }));
    expect(within(dialog).getByTestId("ack-preview").textContent).toContain(
      "AA (positive) · to ODS SYN123 · refers to extract B3C6F1E2-5A5D-4C1B-9E0F-000000000001",
    );
    await userEvent.click(within(dialog).getByRole("button", { name: "Send acknowledgement" }));
    const banner = await screen.findByTestId("decision-made");
    expect(banner.className).toContain("rv-decided-done");
    expect(banner.textContent).toContain("Integrated by Dr Test Synthetic on 21-Nov-2026 14:03");
    expect(banner.textContent).toContain("AA acknowledgement written to the outbox: MCCI_IN010000UK13_AA_");
    // The review can no longer change.
    await openTab("Medications");
    expect(screen.queryByRole("button", { name: "Mark all reviewed" })).toBeNull();
    expect(screen.getByText("This record has been decided; its review can no longer change.")).toBeTruthy();
  });

  it("offers the A-B-A choices to a returning patient", async () => {
    renderReview(reviewBackend({ returning: true }));
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("button", { name: "Decide…" }));
    const dialog = screen.getByRole("dialog", { name: "Decision" });
    expect(
      within(dialog)
        .getAllByRole("radio")
        .map((r) => r.getAttribute("value")),
    ).toEqual(["integrateSuppressOld", "storeSuppressed", "reject", "defer"]);
    await userEvent.click(within(dialog).getByRole("radio", { name: "Reject" }));
    const reasons = Array.from((within(dialog).getByLabelText("Reason") as HTMLSelectElement).options).map(
      (o) => o.textContent,
    );
    expect(reasons).toEqual([
      "17 — A-B-A EHR Extract Received and rejected due to wrong record or wrong patient",
    ]);
  });

  it("chooses the only reason an incomplete record can be rejected with", async () => {
    const record = syntheticRecord({ transfer: { status: "incomplete", failureCode: "31" } });
    renderReview(reviewBackend({ record }));
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("button", { name: "Decide…" }));
    const dialog = screen.getByRole("dialog", { name: "Decision" });
    await userEvent.click(within(dialog).getByRole("radio", { name: "Reject" }));
    expect((within(dialog).getByLabelText("Reason") as HTMLSelectElement).value).toBe("31");
    expect(within(dialog).getByTestId("ack-preview").textContent).toContain(
      "AE 31 — The overall EHR Extract has been rejected because one or more attachments via Large Messages were not received.",
    );
    expect(
      (within(dialog).getByRole("button", { name: "Send acknowledgement" }) as HTMLButtonElement).disabled,
    ).toBe(false);
  });

  it("defers: nothing is sent, and the host hears of it", async () => {
    const b = reviewBackend();
    const onDecided = vi.fn();
    renderReview(b, { onDecided });
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("button", { name: "Decide…" }));
    const dialog = screen.getByRole("dialog", { name: "Decision" });
    await userEvent.click(within(dialog).getByRole("radio", { name: "Decide later" }));
    expect(within(dialog).getByTestId("ack-preview").textContent).toContain("Nothing is sent");
    await userEvent.click(within(dialog).getByRole("button", { name: "Decide later" }));
    expect(await screen.findByText(/Decision deferred/)).toBeTruthy();
    expect(onDecided).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("decision-made")).toBeNull();
  });

  it("disables the decision and says why while parts are awaited", async () => {
    const record = syntheticRecord({
      transfer: { status: "awaitingAttachments", partsExpected: 3, partsMissing: 2 },
    });
    renderReview(reviewBackend({ record }));
    await screen.findByTestId("patient-banner");
    expect((screen.getByRole("button", { name: "Decide…" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("decision-why-not").textContent).toBe(
      "Still waiting for 2 of 3 large-message parts: decide when they arrive, or when the wait runs out.",
    );
  });

  it("disables the decision for a user who may not decide", async () => {
    const b = reviewBackend();
    const session = signInAs(b, "Pat Prescriber-Synthetic", ["prescriber"]);
    renderReview(b, { session });
    await screen.findByTestId("patient-banner");
    expect((screen.getByRole("button", { name: "Decide…" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("decision-why-not").textContent).toContain(
      "Only an administrator or a clinician can integrate or reject a record.",
    );
  });

  it("shows a conflict from the core in the dialog", async () => {
    const b = reviewBackend();
    b.review.failNext.decide = new BackendError({
      code: "conflict",
      message: "Transfer 1 has already been decided.",
    });
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("button", { name: "Decide…" }));
    const dialog = screen.getByRole("dialog", { name: "Decision" });
    await userEvent.click(within(dialog).getByRole("radio", { name: "Reject" }));
    await userEvent.selectOptions(within(dialog).getByLabelText("Reason"), "28");
    await userEvent.click(within(dialog).getByRole("button", { name: "Send acknowledgement" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe(
      "Transfer 1 has already been decided.",
    );
    expect(screen.queryByTestId("decision-made")).toBeNull();
  });

  it("shows a decision made earlier as a banner instead of the button", async () => {
    const record = reviewEverything(syntheticRecord());
    record.transfer.status = "integrated";
    record.decided = {
      kind: "integrate",
      reasonCode: null,
      reasonText: null,
      note: null,
      decidedBy: "Dr Earlier Synthetic",
      decidedAt: "2026-11-21T14:03:00Z",
      ack: {
        ackType: "AA",
        reasonCode: null,
        ackMessageId: "A1",
        messageRef: "B3C6F1E2-5A5D-4C1B-9E0F-000000000001",
        file: "MCCI_IN010000UK13_AA_A1.xml",
        writtenAt: "2026-11-21T14:03:00Z",
      },
      suppressedTransferId: null,
    };
    renderReview(reviewBackend({ record }));
    const banner = await screen.findByTestId("decision-made");
    expect(banner.textContent).toBe(
      "Integrated by Dr Earlier Synthetic on 21-Nov-2026 14:03 · AA acknowledgement written to the outbox: MCCI_IN010000UK13_AA_A1.xml",
    );
    expect(screen.queryByRole("button", { name: "Decide…" })).toBeNull();
  });
});

describe("review screen: timeline and original", () => {
  it("draws a long timeline a page at a time, newest first", async () => {
    const record = syntheticRecord();
    record.timeline = syntheticTimeline(7000).reverse();
    const b = reviewBackend({ record });
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("tab", { name: "Timeline" }));
    const lines = await screen.findAllByTestId("timeline-item");
    expect(lines).toHaveLength(300);
    expect(lines[0]?.textContent).toContain("01-Nov-2026");
    expect(screen.getByTestId("timeline-count").textContent).toContain("Showing 300 of 7000 entries");
    expect(b.review.calls.filter((c) => c.startsWith("reviewTimeline"))).toHaveLength(1);
    await userEvent.click(screen.getByRole("button", { name: /Show more/ }));
    expect(screen.getAllByTestId("timeline-item")).toHaveLength(600);
    await userEvent.selectOptions(screen.getByLabelText(/Show/), "letter");
    expect(screen.getByTestId("timeline-count").textContent).toContain("Showing 300 of 1750 entries");
    expect(screen.getAllByTestId("timeline-item").every((l) => l.dataset.kind === "letter")).toBe(true);
  });

  it("shows the original indented and counts search matches", async () => {
    const b = reviewBackend();
    b.original = async (transferId: number) => {
      b.calls.push(`original:${transferId}`);
      const text =
        '<?xml version="1.0"?><EhrExtract><component><code code="14L.." displayName="Penicillin allergy"/><text>penicillin rash</text></component><!-- PENICILLIN --></EhrExtract>';
      return {
        transferId,
        fileName: "synthetic.xml",
        sizeBytes: text.length,
        sha256: "0".repeat(64),
        text,
        shownBytes: text.length,
        truncated: false,
      };
    };
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("tab", { name: "Original message" }));
    const pre = await screen.findByTestId("original-text");
    expect(pre.textContent).toBe(
      [
        '<?xml version="1.0"?>',
        "<EhrExtract>",
        "  <component>",
        '    <code code="14L.." displayName="Penicillin allergy"/>',
        "    <text>penicillin rash</text>",
        "  </component>",
        "  <!-- PENICILLIN -->",
        "</EhrExtract>",
      ].join("\n"),
    );
    await userEvent.type(screen.getByLabelText("Search the original"), "penicillin");
    await waitFor(() => expect(screen.getByTestId("original-matches").textContent).toContain("3 matches"));
    expect(pre.querySelectorAll("mark")).toHaveLength(3);
    expect(pre.querySelector("mark[data-current='true']")?.textContent).toBe("Penicillin");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(pre.querySelector("mark[data-current='true']")?.textContent).toBe("penicillin");
    expect(screen.getByTestId("original-matches").textContent).toContain("showing 2");
    await userEvent.click(screen.getByRole("button", { name: "Previous" }));
    await userEvent.click(screen.getByRole("button", { name: "Previous" }));
    expect(screen.getByTestId("original-matches").textContent).toContain("showing 3");
    // Typing in the search box is not a shortcut.
    expect(screen.getByRole("tab", { name: "Original message" }).getAttribute("aria-selected")).toBe("true");
    await userEvent.clear(screen.getByLabelText("Search the original"));
    await userEvent.type(screen.getByLabelText("Search the original"), "zzz");
    await waitFor(() => expect(screen.getByTestId("original-matches").textContent).toBe("No matches"));

    await userEvent.click(screen.getByRole("button", { name: "Save a copy" }));
    expect((await screen.findByRole("status")).textContent).toContain("/home/practice/Downloads/");
    expect(b.calls).toContain("exportOriginal:1");
  });

  it("leaves an original that is not XML as it is, and still searchable", async () => {
    const b = reviewBackend();
    const mime =
      "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=X\r\n\r\n--X\r\n<EhrExtract/>\r\n--X--";
    b.original = async (transferId: number) => ({
      transferId,
      fileName: "synthetic.mime",
      sizeBytes: mime.length,
      sha256: "0".repeat(64),
      text: mime,
      shownBytes: mime.length,
      truncated: false,
    });
    renderReview(b);
    await screen.findByTestId("patient-banner");
    await userEvent.click(screen.getByRole("tab", { name: "Original message" }));
    const pre = await screen.findByTestId("original-text");
    expect(pre.textContent).toBe(mime);
    expect(screen.queryByLabelText("Indent the XML")).toBeNull();
    await userEvent.type(screen.getByLabelText("Search the original"), "--x");
    await waitFor(() => expect(screen.getByTestId("original-matches").textContent).toContain("2 matches"));
  });
});
