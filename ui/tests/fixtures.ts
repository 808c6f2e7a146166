import { FixtureBackend } from "../src/backend/fixture";
import type { InboxSnapshot } from "../src/bindings/InboxSnapshot";
import type { TransferRow } from "../src/bindings/TransferRow";

export function transfer(over: Partial<TransferRow> = {}): TransferRow {
  return {
    id: 1,
    kind: "extract",
    interaction: "RCMR_IN030000UK06",
    extractId: "E-1",
    nhsNumber: "9434765919",
    nhsNumberValid: true,
    sendingOds: "A20047",
    receivingOds: "B86041",
    sentAt: "2026-03-10T14:03:27",
    receivedAt: "2026-03-12T09:05:00Z",
    fileName: "extract-1.xml",
    sizeBytes: 4096,
    sample: false,
    status: "received",
    ...over,
  };
}

export function snapshot(over: Partial<InboxSnapshot> = {}): InboxSnapshot {
  return {
    transfers: [transfer()],
    quarantine: [],
    watch: { incomingDir: "/data/incoming", incomingSource: "default", watching: true, problem: null },
    notices: [],
    dataDir: "/data",
    ...over,
  };
}

export function backend(over: Partial<InboxSnapshot> = {}): FixtureBackend {
  return new FixtureBackend(snapshot(over), {
    incomingDir: null,
    effectiveIncomingDir: "/data/incoming",
    incomingSource: "default",
  });
}
