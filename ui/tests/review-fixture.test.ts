import { describe, expect, it } from "vitest";
import { BackendError } from "../src/backend/backend";
import { ReviewFixture, syntheticRecord } from "../src/backend/fixture-review";
import type { Section } from "../src/bindings/Section";

const SECTIONS: Section[] = ["medications", "allergies", "degraded", "attachments"];

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof BackendError ? e.code : "not a BackendError";
  }
}

describe("ReviewFixture, as the core does it", () => {
  it("counts progress from marks and enables integration once every section is seen", async () => {
    const f = new ReviewFixture().add(syntheticRecord());
    let v = await f.open(1);
    expect(v.sections.map((s) => `${s.section} ${s.seen}/${s.total}`)).toEqual([
      "medications 0/5",
      "allergies 0/4",
      "degraded 0/3",
      "attachments 0/5",
    ]);
    expect(v.decision.options.find((o) => o.kind === "integrate")?.enabled).toBe(false);
    expect(v.decision.options.find((o) => o.kind === "reject")?.enabled).toBe(true);
    for (const s of SECTIONS) {
      const page = await f.section(1, s);
      v = await f.mark({
        transferId: 1,
        section: s,
        keys: page.items.map((i) => i.key),
        state: "reviewed",
        note: null,
      });
    }
    expect(v.sections.every((s) => s.complete)).toBe(true);
    expect(v.decision.options.find((o) => o.kind === "integrate")).toMatchObject({
      enabled: true,
      whyNot: null,
    });
    v = await f.mark({ transferId: 1, section: "degraded", keys: ["degraded:1"], state: null, note: null });
    expect(v.sections[2]).toMatchObject({ seen: 2, complete: false });
    expect(v.decision.options[0]?.whyNot).toBe("Review every section first: Degraded codes (2 of 3 seen).");
  });

  it("refuses what the core refuses", async () => {
    const f = new ReviewFixture().add(syntheticRecord());
    const mark = { transferId: 1, section: "medications" as const, keys: ["course:2"], note: null };
    expect(await code(f.mark({ ...mark, state: "flagged" }))).toBe("invalid_input");
    expect(await code(f.mark({ ...mark, keys: ["course:99"], state: "reviewed" }))).toBe("not_found");
    expect(await code(f.mark({ ...mark, keys: [], state: "reviewed" }))).toBe("invalid_input");
    const intention = {
      transferId: 1,
      section: "medications" as const,
      code: null,
      term: null,
      clear: false,
    };
    expect(await code(f.intention({ ...intention, key: "course:1", kind: "reauthorise" }))).toBe(
      "invalid_input",
    );
    expect(
      await code(f.intention({ ...intention, key: "course:5", kind: "recode", code: "0123", term: "x" })),
    ).toBe("invalid_input");
    expect(await code(f.decide({ transferId: 1, kind: "integrate", reasonCode: null, note: null }))).toBe(
      "conflict",
    );
    expect(await code(f.decide({ transferId: 1, kind: "reject", reasonCode: null, note: null }))).toBe(
      "invalid_input",
    );
    expect(await code(f.decide({ transferId: 1, kind: "reject", reasonCode: "17", note: null }))).toBe(
      "invalid_input",
    );
    expect(
      await code(f.decide({ transferId: 1, kind: "storeSuppressed", reasonCode: null, note: null })),
    ).toBe("conflict");
    f.actor = { ...f.actor, permissions: { ...f.actor.permissions, reauthorise: false, decide: false } };
    expect(await code(f.intention({ ...intention, key: "course:2", kind: "reauthorise" }))).toBe("forbidden");
    expect(await code(f.decide({ transferId: 1, kind: "reject", reasonCode: "28", note: null }))).toBe(
      "forbidden",
    );
    expect((await f.open(1)).decision.whyNot).toContain("Only an administrator or a clinician");
  });

  it("records a decision once, with its acknowledgement, and then refuses changes", async () => {
    const f = new ReviewFixture().add(syntheticRecord());
    const v = await f.decide({ transferId: 1, kind: "reject", reasonCode: "28", note: " wrong patient " });
    expect(v.transfer.status).toBe("rejected");
    expect(v.decision.options).toEqual([]);
    expect(v.decision.decided).toMatchObject({
      kind: "reject",
      reasonCode: "28",
      note: "wrong patient",
      ack: { ackType: "AE", reasonCode: "28", messageRef: "B3C6F1E2-5A5D-4C1B-9E0F-000000000001" },
    });
    expect(v.decision.decided?.ack?.file).toMatch(/^MCCI_IN010000UK13_AE-28_.+\.xml$/);
    expect(await code(f.decide({ transferId: 1, kind: "reject", reasonCode: "28", note: null }))).toBe(
      "conflict",
    );
    expect(
      await code(
        f.mark({ transferId: 1, section: "allergies", keys: ["allergy:0"], state: "reviewed", note: null }),
      ),
    ).toBe("conflict");
  });

  it("tracks re-authorisations in the summary", async () => {
    const f = new ReviewFixture().add(syntheticRecord());
    const base = {
      transferId: 1,
      section: "medications" as const,
      kind: "reauthorise" as const,
      code: null,
      term: null,
    };
    let v = await f.intention({ ...base, key: "course:2", clear: false });
    expect(v.summary).toMatchObject({ repeatsToReauthorise: 2, repeatsReauthorised: 1 });
    v = await f.intention({ ...base, key: "course:2", clear: true });
    expect(v.summary.repeatsReauthorised).toBe(0);
    expect(v.summary).toMatchObject({
      degradedDrugAllergies: 1,
      possibleAllergies: 1,
      degradedMedications: 1,
    });
  });
});
