import { describe, expect, it } from "vitest";
import { formatInstant, formatNhsNumber, formatPartialDate } from "../src/format";

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
});
