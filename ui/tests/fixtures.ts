import { FixtureBackend } from "../src/backend/fixture";
import type { InboxSnapshot } from "../src/bindings/InboxSnapshot";
import type { TransferRow } from "../src/bindings/TransferRow";

export function transfer(over: Partial<TransferRow> = {}): TransferRow {
  return {
    id: 1,
    interaction: "RCMR_IN030000UK06",
    extractId: "E-1",
    nhsNumber: "9434765919",
    nhsNumberValid: true,
    sendingOds: "A20047",
    receivingOds: "B86041",
    sentAt: "2026-03-10T14:03:27",
    sentUtc: "2026-03-10T14:03:27Z",
    receivedAt: "2026-03-12T09:05:00Z",
    fileName: "extract-1.xml",
    sizeBytes: 4096,
    sample: false,
    status: "ready",
    statusAt: "2026-03-12T09:05:00Z",
    partsExpected: 0,
    partsMissing: 0,
    failureCode: null,
    failureReason: null,
    counts: {
      compositions: 14,
      medicationCourses: 12,
      acuteCourses: 7,
      repeatCourses: 5,
      issues: 40,
      discontinuations: 2,
      allergies: 3,
      drugAllergies: 2,
      nonDrugAllergies: 1,
      problems: 4,
      degraded: 4,
      documents: 3,
      absentAttachments: 2,
      nopat: 0,
    },
    activeRepeats: 2,
    degradedDrugAllergies: 0,
    readErrors: 0,
    patient: {
      givenName: "Ann",
      familyName: "Testpatient-Synthetic",
      dateOfBirth: "1957-03-12",
      sex: "female",
      postcode: "ZZ99 1AA",
    },
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
    training: false,
    ...over,
  };
}

export function backend(over: Partial<InboxSnapshot> = {}): FixtureBackend {
  return new FixtureBackend(snapshot(over), {
    incomingDir: null,
    effectiveIncomingDir: "/data/incoming",
    incomingSource: "default",
    endpoint: {
      enabled: false,
      listen: "127.0.0.1:8787",
      maxBodyMb: 512,
      running: false,
      url: null,
      tokenFile: "/data/endpoint-token",
      problem: null,
    },
    attachmentTimeoutHours: 24,
    storageDir: null,
    effectiveStorageDir: "/data",
    outboxDir: null,
    effectiveOutboxDir: "/data/outbox",
    outboxFromEnvironment: false,
    idleLockMinutes: 10,
    relaxReviewForAdministrators: false,
    training: {
      active: false,
      forced: false,
      incomingDir: "/data/training/incoming",
      scenarios: [
        { name: "every", description: "Every scenario below, one record each (but the huge record)." },
        {
          name: "degraded-drug-allergy",
          description:
            "A drug allergy sent transfer-degraded, so prescribing must wait until it is reviewed.",
        },
      ],
    },
  });
}
