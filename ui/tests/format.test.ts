import { describe, expect, it } from "vitest";
import {
  countdown,
  formatInstant,
  formatInstantSeconds,
  formatNhsNumber,
  formatPartialDate,
  plural,
  rolesLabel,
} from "../src/format";

describe("NHS display formats", () => {
  it("groups NHS numbers 3-3-4", () => {
    expect(formatNhsNumber("9434765919")).toBe("943 476 5919");
    expect(formatNhsNumber("943 476 5919")).toBe("943 476 5919");
    expect(formatNhsNumber("{{nhsNumber}}")).toBe("{{nhsNumber}}");
  });

  it("writes dates as 12-Mar-1957 at the precision given", () => {
    expect(formatPartialDate("1957-03-12")).toBe("12-Mar-1957");
    expect(formatPartialDate("2020-03-25T11:03:02")).toBe("25-Mar-2020 11:03");
    expect(formatPartialDate("2020-03-25T11")).toBe("25-Mar-2020 11:00");
    expect(formatPartialDate("2020-03")).toBe("Mar-2020");
    expect(formatPartialDate("2020")).toBe("2020");
    expect(formatPartialDate("garbage")).toBe("garbage");
  });

  it("shows instants in local time", () => {
    expect(formatInstant("2026-03-12T09:05:00Z")).toBe("12-Mar-2026 09:05");
    expect(formatInstant("not a time")).toBe("not a time");
  });

  it("shows audit times to the second", () => {
    expect(formatInstantSeconds("2026-11-21T14:03:05Z")).toBe("21-Nov-2026 14:03:05");
    expect(formatInstantSeconds("not a time")).toBe("not a time");
  });

  it("counts and names roles for people", () => {
    expect(plural(1, "entry", "entries")).toBe("1 entry");
    expect(plural(1234, "entry", "entries")).toBe("1,234 entries");
    expect(rolesLabel(["administrator", "clinician"])).toBe("Administrator · Clinician");
  });
});

describe("8-day countdown", () => {
  const now = new Date("2026-03-12T09:00:00Z");
  it.each([
    ["2026-03-12T08:00:00Z", "ok", "Day 0 of 8"],
    ["2026-03-10T08:00:00Z", "ok", "Day 2 of 8"],
    ["2026-03-09T08:00:00Z", "due", "Day 3 of 8"],
    ["2026-03-04T08:00:00Z", "due", "Day 8 of 8"],
    ["2026-03-03T08:00:00Z", "overdue", "Overdue: day 9 of 8"],
    ["2026-03-10", "ok", "Day 2 of 8"],
  ])("sent %s is %s", (sent, level, text) => {
    expect(countdown(sent, now)).toMatchObject({ level, text });
  });
  it("has nothing to say without a send time", () => {
    expect(countdown(null, now)).toBeNull();
    expect(countdown("whenever", now)).toBeNull();
  });
});
