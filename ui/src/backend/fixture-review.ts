// The review part of the in-memory test backend. Owned by the review screen's tests: holds
// synthetic records you add, and applies marks, intentions and decisions as the core would
// (crates/inbox/src/review.rs and decision.rs): progress, the safety summary and the decision
// panel are worked out from the items every time, never stored.
import type { AckPreview } from "../bindings/AckPreview";
import type { AttachmentContent } from "../bindings/AttachmentContent";
import type { CodeSuggestion } from "../bindings/CodeSuggestion";
import type { DecisionKind } from "../bindings/DecisionKind";
import type { DecisionOption } from "../bindings/DecisionOption";
import type { DecisionPanel } from "../bindings/DecisionPanel";
import type { DecisionRequest } from "../bindings/DecisionRequest";
import type { DecisionView } from "../bindings/DecisionView";
import type { DiagnosticView } from "../bindings/DiagnosticView";
import type { EarlierRecord } from "../bindings/EarlierRecord";
import type { IntentionRequest } from "../bindings/IntentionRequest";
import type { MarkRequest } from "../bindings/MarkRequest";
import type { MedicationItem } from "../bindings/MedicationItem";
import type { MissingAttachments } from "../bindings/MissingAttachments";
import type { PatientWarning } from "../bindings/PatientWarning";
import type { Permissions } from "../bindings/Permissions";
import type { RegistrationView } from "../bindings/RegistrationView";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { ReviewView } from "../bindings/ReviewView";
import type { SafetySummary } from "../bindings/SafetySummary";
import type { Section } from "../bindings/Section";
import type { SectionPage } from "../bindings/SectionPage";
import type { SectionProgress } from "../bindings/SectionProgress";
import type { TimelineItem } from "../bindings/TimelineItem";
import type { TransferRow } from "../bindings/TransferRow";
import { BackendError } from "./backend";

export const SECTIONS: readonly Section[] = ["medications", "allergies", "degraded", "attachments"];

const SECTION_LABEL: Record<Section, string> = {
  medications: "Medications",
  allergies: "Allergies",
  degraded: "Degraded codes",
  attachments: "Attachments",
};

/** GP2GP response texts for the codes a decision can send (gp2gp::response_text). */
const REASON_TEXT: Record<string, string> = {
  "11": "Failed to successfully integrate EHR Extract.",
  "15": "A-B-A EHR Extract Received and Stored As Suppressed Record",
  "17": "A-B-A EHR Extract Received and rejected due to wrong record or wrong patient",
  "25": "Large messages rejected due to timeout duration reached of overall transfer",
  "28": "Non A-B-A EHR Extract Received and rejected due to wrong record or wrong patient",
  "29": "Large Message Re-assembly failure",
  "30": "Large Message general failure",
  "31": "The overall EHR Extract has been rejected because one or more attachments via Large Messages were not received.",
};

const LABEL: Record<DecisionKind, [string, string]> = {
  integrate: [
    "Integrate",
    "Accept the record into this practice's system; active repeats are stopped for re-authorisation.",
  ],
  integrateSuppressOld: [
    "Integrate and suppress the old record",
    "The patient is returning: accept this record and suppress the record held from before.",
  ],
  storeSuppressed: [
    "Store and suppress this record",
    "The patient is returning: keep this record, suppressed, and carry on with the local one.",
  ],
  reject: ["Reject", "Refuse the record; the sending practice is told why."],
  defer: ["Decide later", "Nothing is sent; the 8-day clock keeps running."],
};

/** What the decision dialog may offer for a record in this state (decision::options). */
function decisionChoices(t: TransferRow, returning: boolean): [DecisionKind, string[]][] {
  switch (t.status) {
    case "incomplete": {
      const c = t.failureCode?.trim();
      const code = c === "25" || c === "29" || c === "30" ? c : "31";
      return [
        ["reject", [code]],
        ["defer", []],
      ];
    }
    case "ready":
      return returning
        ? [
            ["integrateSuppressOld", []],
            ["storeSuppressed", ["15"]],
            ["reject", ["17"]],
            ["defer", []],
          ]
        : [
            ["integrate", []],
            ["reject", ["28"]],
            ["defer", []],
          ];
    default:
      return [];
  }
}

function ackFor(kind: DecisionKind, reason: string | null): [string, string | null] | null {
  switch (kind) {
    case "integrate":
    case "integrateSuppressOld":
      return ["AA", null];
    case "storeSuppressed":
      return ["AE", "15"];
    case "reject":
      return ["AE", reason];
    default:
      return null;
  }
}

const needsReview = (k: DecisionKind) =>
  k === "integrate" || k === "integrateSuppressOld" || k === "storeSuppressed";

/** A SNOMED CT concept id: 6 to 18 digits, not starting with 0. */
const isSctid = (s: string) => /^[1-9]\d{5,17}$/.test(s);

/** One record the fixture holds: what the core has stored about a transfer. */
export interface FixtureRecord {
  transfer: TransferRow;
  registration: RegistrationView | null;
  items: Record<Section, ReviewItem[]>;
  timeline: TimelineItem[];
  attachments: AttachmentContent[];
  earlierRecords: EarlierRecord[];
  patientWarnings: PatientWarning[];
  diagnostics: DiagnosticView[];
  decided: DecisionView | null;
}

/** Who the fixture acts as (the core enforces these; the UI only hides). */
export interface FixtureActor {
  name: string;
  permissions: Permissions;
}

type Failable = "open" | "section" | "timeline" | "mark" | "intention" | "decide" | "attachment";

export class ReviewFixture {
  calls: string[] = [];
  records = new Map<number, FixtureRecord>();
  actor: FixtureActor = {
    name: "Dr Test Synthetic",
    permissions: { decide: true, reauthorise: true, recode: true, administer: true, train: true },
  };
  outboxDir = "/data/outbox";
  /** "Administrators may decide before every section is reviewed". */
  relaxReview = false;
  suggestionList: CodeSuggestion[] = SUGGESTIONS;
  /** The next call of that name fails with this error (once). */
  failNext: Partial<Record<Failable, BackendError>> = {};
  /** The instant marks, intentions and decisions are stamped with. */
  now = () => "2026-11-21T14:03:00Z";
  private acks = 0;

  /** Holds a record (replacing one with the same transfer id). */
  add(record: FixtureRecord): this {
    this.records.set(record.transfer.id, structuredClone(record));
    return this;
  }

  private missing(transferId: number): BackendError {
    return new BackendError({ code: "not_found", message: `There is no transfer ${transferId}.` });
  }

  private get(transferId: number): FixtureRecord {
    const r = this.records.get(transferId);
    if (!r) throw this.missing(transferId);
    return r;
  }

  private failing(name: Failable): void {
    const e = this.failNext[name];
    if (e) {
      delete this.failNext[name];
      throw e;
    }
  }

  private refuseIfDecided(r: FixtureRecord): void {
    if (r.decided) {
      throw new BackendError({
        code: "conflict",
        message: "This record has been decided; its review can no longer change.",
      });
    }
  }

  /** The review as the core would build it now (review_view). */
  view(transferId: number): ReviewView {
    const r = this.get(transferId);
    return structuredClone({
      transfer: r.transfer,
      registration: r.registration,
      summary: summaryOf(r),
      sections: SECTIONS.map((s) => progressOf(r, s)),
      earlierRecords: r.earlierRecords,
      decision: this.panel(r),
    });
  }

  private permittedToDecide(): string | null {
    return this.actor.permissions.decide
      ? null
      : `${this.actor.name}: Only an administrator or a clinician can integrate or reject a record.`;
  }

  private reviewedYet(r: FixtureRecord): string | null {
    const missing = SECTIONS.map((s) => progressOf(r, s))
      .filter((p) => !p.complete)
      .map((p) => `${SECTION_LABEL[p.section]} (${p.seen} of ${p.total} seen)`);
    return missing.length === 0 ? null : `Review every section first: ${missing.join(", ")}.`;
  }

  private relaxed(): boolean {
    return this.relaxReview && this.actor.permissions.administer;
  }

  private messageRef(r: FixtureRecord): string {
    return r.transfer.extractId?.trim() || `HL7-${r.transfer.id}`;
  }

  private panel(r: FixtureRecord): DecisionPanel {
    if (r.decided) return { decided: r.decided, options: [], whyNot: null, outboxDir: this.outboxDir };
    const t = r.transfer;
    const permitted = this.permittedToDecide();
    const reviewed = this.reviewedYet(r);
    const whyNot =
      t.status === "awaitingAttachments"
        ? `Still waiting for ${t.partsMissing} of ${t.partsExpected} large-message parts: decide when they arrive, or when the wait runs out.`
        : permitted;
    const options: DecisionOption[] = decisionChoices(t, r.earlierRecords.length > 0).map(([kind, codes]) => {
      const [label, description] = LABEL[kind];
      const a = ackFor(kind, codes[0] ?? null);
      const ack: AckPreview | null = a && {
        ackType: a[0],
        code: a[1],
        text: a[1] ? (REASON_TEXT[a[1]] ?? "Unexpected condition.") : null,
        messageRef: this.messageRef(r),
        toOds: t.sendingOds,
      };
      const why = permitted ?? (needsReview(kind) && !this.relaxed() ? reviewed : null);
      return {
        kind,
        label,
        description,
        reasons: codes.map((code) => ({ code, text: REASON_TEXT[code] ?? "Unexpected condition." })),
        ack,
        enabled: why === null,
        whyNot: why,
      };
    });
    return { decided: null, options, whyNot, outboxDir: this.outboxDir };
  }

  async open(transferId: number): Promise<ReviewView> {
    this.calls.push(`reviewOpen:${transferId}`);
    this.failing("open");
    return this.view(transferId);
  }

  async section(transferId: number, section: Section): Promise<SectionPage> {
    this.calls.push(`reviewSection:${transferId}:${section}`);
    this.failing("section");
    const r = this.get(transferId);
    return structuredClone({ transferId, section, items: r.items[section] });
  }

  async timeline(transferId: number): Promise<TimelineItem[]> {
    this.calls.push(`reviewTimeline:${transferId}`);
    this.failing("timeline");
    return structuredClone(this.get(transferId).timeline);
  }

  async mark(request: MarkRequest): Promise<ReviewView> {
    this.calls.push(`reviewMark:${request.transferId}`);
    this.failing("mark");
    const note = request.note?.trim() || null;
    if (request.state === "flagged" && !note) {
      throw new BackendError({
        code: "invalid_input",
        message: "Say why the item is flagged: a note is needed.",
      });
    }
    if (request.keys.length === 0) {
      throw new BackendError({ code: "invalid_input", message: "No item was chosen." });
    }
    const r = this.get(request.transferId);
    this.refuseIfDecided(r);
    const items = r.items[request.section];
    const bad = request.keys.find((k) => !items.some((i) => i.key === k));
    if (bad) {
      throw new BackendError({
        code: "not_found",
        message: `There is no item ${bad} in ${SECTION_LABEL[request.section]} of transfer ${request.transferId}.`,
      });
    }
    const at = this.now();
    for (const item of items) {
      if (!request.keys.includes(item.key)) continue;
      item.mark = request.state ? { state: request.state, note, by: this.actor.name, at } : null;
    }
    return this.view(request.transferId);
  }

  async intention(request: IntentionRequest): Promise<ReviewView> {
    this.calls.push(`reviewIntention:${request.transferId}:${request.kind}:${request.key}`);
    this.failing("intention");
    let code: string | null = null;
    let term: string | null = null;
    if (request.kind === "reauthorise") {
      if (!this.actor.permissions.reauthorise) {
        throw new BackendError({
          code: "forbidden",
          message: `${this.actor.name}: Only a prescriber can re-authorise a repeat medication.`,
        });
      }
    } else {
      if (!this.actor.permissions.recode) {
        throw new BackendError({
          code: "forbidden",
          message: `${this.actor.name}: Only a clinician can propose a new code.`,
        });
      }
      if (!request.clear) {
        code = request.code?.trim() || null;
        term = request.term?.trim() || null;
        if (!code || !isSctid(code)) {
          throw new BackendError({
            code: "invalid_input",
            message: "A recode needs a SNOMED CT concept id: 6 to 18 digits, such as 91936005.",
          });
        }
        if (!term) {
          throw new BackendError({ code: "invalid_input", message: "A recode needs the term for the code." });
        }
      }
    }
    const r = this.get(request.transferId);
    this.refuseIfDecided(r);
    const item = r.items[request.section].find((i) => i.key === request.key);
    const fits =
      item !== undefined &&
      (request.kind === "reauthorise"
        ? item.body.type === "medication" && item.body.needsReauthorisation
        : item.body.type === "degraded" ||
          ((item.body.type === "allergy" || item.body.type === "medication") && item.body.degraded));
    if (!item || !fits) {
      throw new BackendError({
        code: "invalid_input",
        message:
          request.kind === "reauthorise"
            ? "Only an active repeat can be marked to re-authorise."
            : "Only a degraded entry can be recoded.",
      });
    }
    item.intentions = item.intentions.filter((i) => i.kind !== request.kind);
    if (!request.clear) {
      item.intentions.push({ kind: request.kind, code, term, by: this.actor.name, at: this.now() });
    }
    return this.view(request.transferId);
  }

  async suggestions(query: string): Promise<CodeSuggestion[]> {
    this.calls.push(`codeSuggestions:${query}`);
    const q = query.trim().toLowerCase();
    if (q.length < 2) return [];
    return structuredClone(
      this.suggestionList.filter((s) => s.term.toLowerCase().includes(q) || s.code.startsWith(q)),
    );
  }

  async decide(request: DecisionRequest): Promise<ReviewView> {
    this.calls.push(`decide:${request.transferId}:${request.kind}`);
    this.failing("decide");
    const denied = this.permittedToDecide();
    if (denied) throw new BackendError({ code: "forbidden", message: denied });
    const r = this.get(request.transferId);
    const t = r.transfer;
    if (r.decided) {
      throw new BackendError({ code: "conflict", message: `Transfer ${t.id} has already been decided.` });
    }
    if (t.status === "awaitingAttachments") {
      throw new BackendError({
        code: "conflict",
        message: "This record is still waiting for its large-message parts: it cannot be decided yet.",
      });
    }
    const allowed = decisionChoices(t, r.earlierRecords.length > 0);
    const choice = allowed.find(([k]) => k === request.kind);
    if (!choice) {
      throw new BackendError({
        code: "conflict",
        message: `"${LABEL[request.kind][0]}" is not possible for this record; the choices are: ${allowed.map(([k]) => LABEL[k][0]).join(", ")}.`,
      });
    }
    let reason: string | null = null;
    if (request.kind === "reject") {
      const c = request.reasonCode?.trim() || null;
      if (!c) {
        throw new BackendError({
          code: "invalid_input",
          message: `A rejection needs a reason code: ${choice[1].join(" or ")}.`,
        });
      }
      if (!choice[1].includes(c)) {
        throw new BackendError({
          code: "invalid_input",
          message: `Reason code ${c} does not fit this record; use ${choice[1].join(" or ")}.`,
        });
      }
      reason = c;
    }
    if (needsReview(request.kind) && !this.relaxed()) {
      const why = this.reviewedYet(r);
      if (why) throw new BackendError({ code: "conflict", message: why });
    }
    if (request.kind === "defer") return this.view(t.id);
    const [ackType, ackCode] = ackFor(request.kind, reason) ?? ["AE", null];
    const at = this.now();
    this.acks += 1;
    const ackId = `5E1C0A7B-0000-4000-8000-${String(this.acks).padStart(12, "0")}`;
    const suppressed =
      request.kind === "integrateSuppressOld" ? (r.earlierRecords[0]?.transferId ?? null) : null;
    r.decided = {
      kind: request.kind,
      reasonCode: ackCode,
      reasonText: ackCode ? (REASON_TEXT[ackCode] ?? null) : null,
      note: request.note?.trim() || null,
      decidedBy: this.actor.name,
      decidedAt: at,
      ack: {
        ackType,
        reasonCode: ackCode,
        ackMessageId: ackId,
        messageRef: this.messageRef(r),
        file: `MCCI_IN010000UK13_${ackType}${ackCode ? `-${ackCode}` : ""}_${ackId}.xml`,
        writtenAt: at,
      },
      suppressedTransferId: suppressed,
    };
    t.status =
      request.kind === "integrate" || request.kind === "integrateSuppressOld"
        ? "integrated"
        : request.kind === "storeSuppressed"
          ? "suppressed"
          : "rejected";
    t.statusAt = at;
    if (request.kind === "integrateSuppressOld") {
      r.earlierRecords = r.earlierRecords.map((e) => ({ ...e, status: "suppressed" }));
    }
    return this.view(t.id);
  }

  async attachment(attachmentId: number): Promise<AttachmentContent> {
    this.calls.push(`attachmentOpen:${attachmentId}`);
    this.failing("attachment");
    for (const r of this.records.values()) {
      const a = r.attachments.find((x) => x.attachmentId === attachmentId);
      if (a) return structuredClone(a);
    }
    throw new BackendError({ code: "not_found", message: `There is no attachment ${attachmentId}.` });
  }
}

/** How far a section's review has got (Loaded::progress). */
export function progressOf(r: FixtureRecord, section: Section): SectionProgress {
  const items = r.items[section];
  const seen = items.filter((i) => i.mark !== null).length;
  const flagged = items.filter((i) => i.mark?.state === "flagged").length;
  return { section, total: items.length, seen, flagged, complete: seen === items.length };
}

function summaryOf(r: FixtureRecord): SafetySummary {
  const meds = r.items.medications.flatMap((i) => (i.body.type === "medication" ? [{ i, m: i.body }] : []));
  const allergies = r.items.allergies.flatMap((i) => (i.body.type === "allergy" ? [i.body] : []));
  const missing: MissingAttachments[] = [];
  for (const i of r.items.attachments) {
    if (i.body.type !== "attachment" || !i.body.missing) continue;
    const reason = i.body.placeholderReason ?? "No reason given";
    const code = i.body.placeholderReasonCode;
    const from = i.body.fromThisTransfer;
    const g = missing.find(
      (x) => x.reasonCode === code && x.reason === reason && x.fromThisTransfer === from,
    );
    if (g) g.count += 1;
    else missing.push({ reasonCode: code, reason, fromThisTransfer: from, count: 1 });
  }
  const repeats = meds.filter(({ m }) => m.needsReauthorisation);
  const all = SECTIONS.flatMap((s) => r.items[s]);
  return {
    repeatsToReauthorise: repeats.length,
    repeatsReauthorised: repeats.filter(({ i }) => i.intentions.some((x) => x.kind === "reauthorise")).length,
    degradedDrugAllergies: allergies.filter((a) => a.blocksPrescribing).length,
    possibleAllergies: allergies.filter((a) => a.kind === "possible").length,
    degradedMedications: meds.filter(({ m }) => m.degraded && m.current).length,
    degradedCodes: r.items.degraded.length,
    missingAttachments: missing,
    nopat: all.filter((i) => i.body.nopat).length + r.timeline.filter((t) => t.nopat).length,
    patientWarnings: r.patientWarnings,
    diagnostics: r.diagnostics,
  };
}

// ---- A synthetic record to review ------------------------------------------------------------
// Every person, practice and code here is made up (SYN…, "Testpatient-Synthetic").

export const SUGGESTIONS: CodeSuggestion[] = [
  { code: "91936005", term: "Allergy to penicillin", uses: 214 },
  { code: "294505008", term: "Allergy to amoxicillin", uses: 57 },
  { code: "293586001", term: "Allergy to aspirin", uses: 31 },
  { code: "38341003", term: "Hypertensive disorder", uses: 880 },
  { code: "44054006", term: "Type 2 diabetes mellitus", uses: 412 },
];

/** A transfer row for a synthetic record, ready for review. */
export function syntheticTransfer(over: Partial<TransferRow> = {}): TransferRow {
  return {
    id: 1,
    interaction: "RCMR_IN030000UK07",
    extractId: "B3C6F1E2-5A5D-4C1B-9E0F-000000000001",
    nhsNumber: "9434765919",
    nhsNumberValid: true,
    sendingOds: "SYN123",
    receivingOds: "SYN999",
    sentAt: "2026-11-18T10:15:00",
    sentUtc: "2026-11-18T10:15:00Z",
    receivedAt: "2026-11-18T10:16:02Z",
    fileName: "synthetic-ann-testpatient.xml",
    sizeBytes: 184_320,
    sample: false,
    status: "ready",
    statusAt: "2026-11-18T10:16:02Z",
    partsExpected: 0,
    partsMissing: 0,
    failureCode: null,
    failureReason: null,
    counts: {
      compositions: 42,
      medicationCourses: 5,
      acuteCourses: 2,
      repeatCourses: 3,
      issues: 31,
      discontinuations: 1,
      allergies: 4,
      drugAllergies: 2,
      nonDrugAllergies: 1,
      problems: 6,
      degraded: 3,
      documents: 5,
      absentAttachments: 2,
      nopat: 1,
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

function med(seq: number, over: Partial<MedicationItem>): ReviewItem {
  const m: MedicationItem = {
    drug: "Synthetic drug",
    code: null,
    codeSystem: "2.16.840.1.113883.2.1.3.2.4.15",
    kind: "acute",
    status: "completed",
    current: false,
    dosage: null,
    quantity: null,
    start: null,
    expiry: null,
    repeatsAuthorised: null,
    issueCount: 0,
    lastIssue: null,
    issues: [],
    discontinued: null,
    discontinuationReason: null,
    degraded: false,
    nopat: false,
    needsReauthorisation: false,
    ...over,
  };
  return { key: `course:${seq}`, body: { type: "medication", ...m }, mark: null, intentions: [] };
}

function monthlyIssues(last: string, n: number, quantity: string) {
  const [y, mo] = last.split("-").map(Number) as [number, number];
  return Array.from({ length: n }, (_, k) => {
    const months = y * 12 + (mo - 1) - k;
    const date = `${Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, "0")}-${last.slice(8, 10)}`;
    return { issued: date, quantity };
  });
}

export interface SyntheticOptions {
  transfer?: Partial<TransferRow>;
  /** An earlier, not rejected record for the same NHS number: the A-B-A choices. */
  returning?: boolean;
  /** Lines in the timeline (newest first). */
  timeline?: number;
  /** No registration at this practice. */
  unregistered?: boolean;
  patientWarnings?: PatientWarning[];
}

/** A whole record: 5 medications, 4 allergies, 3 degraded codes, 5 attachments (2 missing). */
export function syntheticRecord(opts: SyntheticOptions = {}): FixtureRecord {
  const transfer = syntheticTransfer(opts.transfer);
  if (opts.unregistered) transfer.patient = null;
  const medications: ReviewItem[] = [
    med(2, {
      drug: "Amlodipine 5mg tablets",
      code: "319283006",
      kind: "repeat",
      status: "active",
      current: true,
      dosage: "One to be taken each day",
      quantity: "28 tablet",
      start: "2019-04-02",
      repeatsAuthorised: 6,
      issueCount: 14,
      lastIssue: "2026-10-30",
      issues: monthlyIssues("2026-10-30", 14, "28 tablet"),
      needsReauthorisation: true,
    }),
    med(4, {
      drug: "Metformin 500mg modified-release tablets",
      code: "325278007",
      kind: "repeat",
      status: "active",
      current: true,
      dosage: "Two to be taken twice a day with food",
      quantity: "112 tablet",
      start: "2021-01-15",
      issueCount: 9,
      lastIssue: "2026-10-12",
      issues: monthlyIssues("2026-10-12", 9, "112 tablet"),
      needsReauthorisation: true,
      nopat: true,
    }),
    med(5, {
      drug: "Co-codamol 30mg/500mg (local drug code — degraded)",
      code: "EMISDRUG-SYN-01",
      codeSystem: "2.16.840.1.113883.2.1.6.3",
      kind: "acute",
      status: "active",
      current: true,
      dosage: "One or two up to four times a day when required",
      quantity: "30 tablet",
      start: "2026-09-02",
      issueCount: 1,
      lastIssue: "2026-09-02",
      issues: [{ issued: "2026-09-02", quantity: "30 tablet" }],
      degraded: true,
    }),
    med(1, {
      drug: "Amoxicillin 500mg capsules",
      code: "323509004",
      kind: "acute",
      status: "completed",
      dosage: "One to be taken three times a day",
      quantity: "21 capsule",
      start: "2024-02-10",
      issueCount: 1,
      lastIssue: "2024-02-10",
      issues: [{ issued: "2024-02-10", quantity: "21 capsule" }],
    }),
    med(3, {
      drug: "Simvastatin 20mg tablets",
      code: "320000009",
      kind: "repeat",
      status: "stopped",
      dosage: "One to be taken at night",
      quantity: "28 tablet",
      start: "2016-06-01",
      issueCount: 7,
      lastIssue: "2019-03-01",
      issues: monthlyIssues("2019-03-01", 7, "28 tablet"),
      discontinued: "2019-03-20",
      discontinuationReason: "Muscle aches; changed to another statin",
    }),
  ];
  const allergy = (
    seq: number,
    body: Omit<ReviewItem["body"] & { type: "allergy" }, "type">,
  ): ReviewItem => ({
    key: `allergy:${seq}`,
    body: { type: "allergy", ...body },
    mark: null,
    intentions: [],
  });
  const allergies: ReviewItem[] = [
    allergy(2, {
      kind: "drug",
      term: "Transfer-degraded drug allergy",
      code: "196461000000101",
      codeSystem: "2.16.840.1.113883.2.1.3.2.4.15",
      allergen: "Penicillin (local code)",
      reaction: "Urticarial rash",
      notes: null,
      onset: "1998-05",
      degraded: true,
      originalTerm: "H/O: penicillin allergy",
      blocksPrescribing: true,
      nopat: false,
    }),
    allergy(0, {
      kind: "drug",
      term: "Allergy to aspirin",
      code: "293586001",
      codeSystem: "2.16.840.1.113883.2.1.3.2.4.15",
      allergen: "Aspirin",
      reaction: "Wheeze",
      notes: "Reported by the patient at registration.",
      onset: "2011-08-14",
      degraded: false,
      originalTerm: null,
      blocksPrescribing: false,
      nopat: false,
    }),
    allergy(1, {
      kind: "nonDrug",
      term: "Allergy to peanuts",
      code: "91935009",
      codeSystem: "2.16.840.1.113883.2.1.3.2.4.15",
      allergen: "Peanut",
      reaction: "Swelling of lips",
      notes: null,
      onset: "2002",
      degraded: false,
      originalTerm: null,
      blocksPrescribing: false,
      nopat: false,
    }),
    allergy(3, {
      kind: "possible",
      term: "Adverse reaction to codeine",
      code: "292049002",
      codeSystem: "2.16.840.1.113883.2.1.3.2.4.15",
      allergen: "Codeine",
      reaction: "Nausea",
      notes: "Possibly intolerance rather than allergy.",
      onset: "2026-09-10",
      degraded: false,
      originalTerm: null,
      blocksPrescribing: false,
      nopat: false,
    }),
  ];
  const degraded: ReviewItem[] = [
    {
      key: "degraded:0",
      body: {
        type: "degraded",
        kind: "drug_allergy",
        kindLabel: "Drug allergy (degraded)",
        originalTerm: "H/O: penicillin allergy",
        originalCode: "14L..",
        originalCodeSystem: "2.16.840.1.113883.2.1.6.2",
        receivedCode: "196461000000101",
        entryTerm: "Transfer-degraded drug allergy",
        effective: "1998-05",
        nopat: false,
      },
      mark: null,
      intentions: [],
    },
    {
      key: "degraded:1",
      body: {
        type: "degraded",
        kind: "medication",
        kindLabel: "Medication (degraded)",
        originalTerm: "Co-codamol 30mg/500mg tablets",
        originalCode: "EMISDRUG-SYN-01",
        originalCodeSystem: "2.16.840.1.113883.2.1.6.3",
        receivedCode: "196421000000109",
        entryTerm: "Transfer-degraded medication entry",
        effective: "2026-09-02",
        nopat: false,
      },
      mark: null,
      intentions: [],
    },
    {
      key: "degraded:2",
      body: {
        type: "degraded",
        kind: "record_entry",
        kindLabel: "Record entry (degraded)",
        originalTerm: "Seen in synthetic community clinic",
        originalCode: "9N1y.",
        originalCodeSystem: "2.16.840.1.113883.2.1.6.2",
        receivedCode: "196451000000104",
        entryTerm: "Transfer-degraded record entry",
        effective: "2023-06-19T10:40",
        nopat: false,
      },
      mark: null,
      intentions: [],
    },
  ];
  const doc = (seq: number, body: Omit<ReviewItem["body"] & { type: "attachment" }, "type">): ReviewItem => ({
    key: `document:${seq}`,
    body: { type: "attachment", ...body },
    mark: null,
    intentions: [],
  });
  const present = {
    missing: false,
    placeholderReasonCode: null,
    placeholderReason: null,
    placeholderOriginalName: null,
    placeholderOds: null,
    fromThisTransfer: false,
    nopat: false,
  };
  const attachments: ReviewItem[] = [
    doc(3, {
      title: "Discharge summary, Synthetic General Hospital",
      fileName: "discharge-summary.pdf",
      mediaType: "application/pdf",
      attachmentId: null,
      sizeBytes: null,
      viewer: "none",
      missing: true,
      placeholderReasonCode: "01",
      placeholderReason: "The file was too large to send",
      placeholderOriginalName: "discharge-summary.pdf",
      placeholderOds: "SYN123",
      fromThisTransfer: true,
      effective: "2025-12-02",
      nopat: false,
    }),
    doc(4, {
      title: "Scanned letter from an earlier practice",
      fileName: "old-letter.tif",
      mediaType: "image/tiff",
      attachmentId: null,
      sizeBytes: null,
      viewer: "none",
      missing: true,
      placeholderReasonCode: "02",
      placeholderReason: "The file was missing at the previous transfer",
      placeholderOriginalName: "old-letter.tif",
      placeholderOds: "SYN456",
      fromThisTransfer: false,
      effective: "2009-02-11",
      nopat: false,
    }),
    doc(0, {
      ...present,
      title: "Clinic letter: cardiology",
      fileName: "cardiology-letter.pdf",
      mediaType: "application/pdf",
      attachmentId: 101,
      sizeBytes: 48_213,
      viewer: "pdf",
      effective: "2026-02-14",
    }),
    doc(1, {
      ...present,
      title: "ECG trace",
      fileName: "ecg.png",
      mediaType: "image/png",
      attachmentId: 102,
      sizeBytes: 68,
      viewer: "image",
      effective: "2026-01-03",
    }),
    doc(2, {
      ...present,
      title: "Referral notes",
      fileName: "referral.txt",
      mediaType: "text/plain",
      attachmentId: 103,
      sizeBytes: 172,
      viewer: "text",
      effective: "2025-07-21",
      nopat: true,
    }),
  ];
  const registration: RegistrationView | null = opts.unregistered
    ? null
    : {
        givenName: "Ann",
        familyName: "Testpatient-Synthetic",
        dateOfBirth: "1957-03-12",
        sex: "female",
        address: "1 Synthetic Street, Testtown",
        postcode: "ZZ99 1AA",
        practiceOds: "SYN999",
        registeredOn: "2026-11-10",
      };
  const patientWarnings: PatientWarning[] =
    opts.patientWarnings ??
    (opts.unregistered
      ? [
          {
            kind: "notRegistered",
            message:
              "No patient registered at this practice has NHS number 943 476 5919: check the registration before integrating.",
          },
        ]
      : []);
  return {
    transfer,
    registration,
    items: { medications, allergies, degraded, attachments },
    timeline: syntheticTimeline(opts.timeline ?? 12),
    attachments: [
      {
        attachmentId: 101,
        fileName: "cardiology-letter.pdf",
        mediaType: "application/pdf",
        viewer: "pdf",
        text: null,
        base64: btoa("%PDF-1.4\n% synthetic test document\n%%EOF\n"),
        sizeBytes: 48_213,
      },
      {
        attachmentId: 102,
        fileName: "ecg.png",
        mediaType: "image/png",
        viewer: "image",
        text: null,
        base64:
          "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        sizeBytes: 68,
      },
      {
        attachmentId: 103,
        fileName: "referral.txt",
        mediaType: "text/plain",
        viewer: "text",
        text: "Referral notes (synthetic)\n\nPlease review chest pain on exertion.\nNo known cardiac history.",
        base64: null,
        sizeBytes: 172,
      },
    ],
    earlierRecords: opts.returning
      ? [
          {
            transferId: 90,
            receivedAt: "2019-05-02T09:30:00Z",
            status: "integrated",
            decidedAt: "2019-05-03T10:00:00Z",
          },
        ]
      : [],
    patientWarnings,
    diagnostics: [],
    decided: null,
  };
}

const TIMELINE_KINDS = ["consultation", "problem", "result", "letter"] as const;

/** `n` timeline lines, newest first, one a day back from 1-Nov-2026. */
export function syntheticTimeline(n: number): TimelineItem[] {
  const start = Date.UTC(2026, 10, 1);
  return Array.from({ length: n }, (_, k) => {
    const kind = TIMELINE_KINDS[k % 4] ?? "consultation";
    const at = new Date(start - k * 86_400_000).toISOString().slice(0, 10);
    return {
      kind,
      at,
      title:
        kind === "consultation"
          ? `Surgery consultation ${n - k}`
          : kind === "problem"
            ? `Problem ${n - k}: essential hypertension`
            : kind === "result"
              ? `Serum cholesterol ${n - k}`
              : `Letter ${n - k} from Synthetic General Hospital`,
      detail: kind === "result" ? "5.2 mmol/L" : kind === "consultation" ? "Blood pressure 138/84" : null,
      author: kind === "letter" ? null : "Dr Synthetic Sender",
      nopat: false,
    };
  });
}
