// The UI talks to the core only through this interface: `tauri.ts` in the app, `fixture.ts` in tests.
import type { ApiError } from "../bindings/ApiError";
import type { AttachmentContent } from "../bindings/AttachmentContent";
import type { AuditCheck } from "../bindings/AuditCheck";
import type { AuditEntryView } from "../bindings/AuditEntryView";
import type { AuditQuery } from "../bindings/AuditQuery";
import type { CodeSuggestion } from "../bindings/CodeSuggestion";
import type { DecisionRequest } from "../bindings/DecisionRequest";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ImportReport } from "../bindings/ImportReport";
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { IntentionRequest } from "../bindings/IntentionRequest";
import type { MarkRequest } from "../bindings/MarkRequest";
import type { NewUserRequest } from "../bindings/NewUserRequest";
import type { OriginalView } from "../bindings/OriginalView";
import type { ReviewView } from "../bindings/ReviewView";
import type { Section } from "../bindings/Section";
import type { SectionPage } from "../bindings/SectionPage";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SettingsView } from "../bindings/SettingsView";
import type { TimelineItem } from "../bindings/TimelineItem";
import type { UserUpdate } from "../bindings/UserUpdate";
import type { UserView } from "../bindings/UserView";

export interface Backend {
  snapshot(): Promise<InboxSnapshot>;
  /** The original of a transfer's record as received (GP2GP S63). */
  original(transferId: number): Promise<OriginalView>;
  /** Saves a byte-for-byte copy of the original; resolves to where it was saved. */
  exportOriginal(transferId: number): Promise<string>;
  settings(): Promise<SettingsView>;
  updateSettings(update: SettingsUpdate): Promise<SettingsView>;
  /** Switches between the live inbox and the training inbox. */
  setTraining(enabled: boolean): Promise<SettingsView>;
  /** Puts the training inbox back to a scenario set (`every` or a scenario's name); resolves to how many records it holds. */
  resetTraining(scenario: string): Promise<number>;
  /** Imports the practice's registrations from a file on this machine (administrators). */
  importRegistrations(path: string): Promise<ImportReport>;
  // ---- Sign-in and users ----
  /** Who is signed in (`user: null` when nobody), the profiles to choose from. */
  session(): Promise<SessionView>;
  signIn(userId: number, pin: string): Promise<SessionView>;
  /** `locked`: the screen locked itself after being idle (audited as such). */
  signOut(locked: boolean): Promise<SessionView>;
  /** The user is active: keeps the session from locking. Rejects with `not_signed_in` once locked. */
  touch(): Promise<void>;
  /** The first profile (made an administrator); signs it in. */
  createFirstUser(request: NewUserRequest): Promise<SessionView>;
  users(): Promise<UserView[]>;
  createUser(request: NewUserRequest): Promise<UserView>;
  updateUser(update: UserUpdate): Promise<UserView>;
  // ---- Review and decision ----
  /** Opens a transfer for review (audited as a record view). */
  reviewOpen(transferId: number): Promise<ReviewView>;
  reviewSection(transferId: number, section: Section): Promise<SectionPage>;
  reviewTimeline(transferId: number): Promise<TimelineItem[]>;
  /** Marks items reviewed / flagged (with a note) or clears them; resolves to the review as it now stands. */
  reviewMark(request: MarkRequest): Promise<ReviewView>;
  reviewIntention(request: IntentionRequest): Promise<ReviewView>;
  codeSuggestions(query: string): Promise<CodeSuggestion[]>;
  /** The whole-record decision; the acknowledgement is in the outbox when this resolves. */
  decide(request: DecisionRequest): Promise<ReviewView>;
  attachmentOpen(attachmentId: number): Promise<AttachmentContent>;
  // ---- Audit ----
  auditList(query: AuditQuery): Promise<AuditEntryView[]>;
  auditVerify(): Promise<AuditCheck>;
  /** Calls `handler` for every event the core pushes; resolves to a function that stops listening. */
  onEvent(handler: (event: InboxEvent) => void): Promise<() => void>;
}

/** A failed call: `code` is from a closed set; `message` is plain English for people, never parsed. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
  }
}

const CODES: readonly ErrorCode[] = [
  "not_found",
  "not_signed_in",
  "forbidden",
  "conflict",
  "invalid_input",
  "storage",
  "io",
  "internal",
];

/** Turns whatever a call rejected with into a BackendError. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    if (CODES.includes(code as ErrorCode) && typeof message === "string") {
      return new BackendError({ code: code as ErrorCode, message });
    }
  }
  return new BackendError({ code: "internal", message: String(e) });
}
