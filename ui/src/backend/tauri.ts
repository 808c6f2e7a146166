import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AttachmentContent } from "../bindings/AttachmentContent";
import type { AuditCheck } from "../bindings/AuditCheck";
import type { AuditEntryView } from "../bindings/AuditEntryView";
import type { CodeSuggestion } from "../bindings/CodeSuggestion";
import type { ImportReport } from "../bindings/ImportReport";
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { OriginalView } from "../bindings/OriginalView";
import type { ReviewView } from "../bindings/ReviewView";
import type { SectionPage } from "../bindings/SectionPage";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SettingsView } from "../bindings/SettingsView";
import type { TimelineItem } from "../bindings/TimelineItem";
import type { UserView } from "../bindings/UserView";
import { type Backend, toBackendError } from "./backend";

/** Must match `src-tauri/src/events.rs`. */
const INBOX_EVENT = "inbox-event";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export const tauriBackend: Backend = {
  snapshot: () => call<InboxSnapshot>("inbox_snapshot"),
  original: (transferId: number) => call<OriginalView>("transfer_original", { transferId }),
  exportOriginal: (transferId: number) => call<string>("transfer_export_original", { transferId }),
  settings: () => call<SettingsView>("settings_get"),
  updateSettings: (update: SettingsUpdate) => call<SettingsView>("settings_update", { update }),
  setTraining: (enabled: boolean) => call<SettingsView>("training_set", { enabled }),
  resetTraining: (scenario: string) => call<number>("training_reset", { scenario }),
  importRegistrations: (path) => call<ImportReport>("registrations_import", { path }),
  session: () => call<SessionView>("session_get"),
  signIn: (userId, pin) => call<SessionView>("sign_in", { userId, pin }),
  signOut: (locked) => call<SessionView>("sign_out", { locked }),
  touch: () => call<void>("session_touch"),
  createFirstUser: (request) => call<SessionView>("create_first_user", { request }),
  users: () => call<UserView[]>("users_list"),
  createUser: (request) => call<UserView>("user_create", { request }),
  updateUser: (update) => call<UserView>("user_update", { update }),
  reviewOpen: (transferId) => call<ReviewView>("review_open", { transferId }),
  reviewSection: (transferId, section) => call<SectionPage>("review_section", { transferId, section }),
  reviewTimeline: (transferId) => call<TimelineItem[]>("review_timeline", { transferId }),
  reviewMark: (request) => call<ReviewView>("review_mark", { request }),
  reviewIntention: (request) => call<ReviewView>("review_intention", { request }),
  codeSuggestions: (query) => call<CodeSuggestion[]>("code_suggestions", { query }),
  decide: (request) => call<ReviewView>("decide", { request }),
  attachmentOpen: (attachmentId) => call<AttachmentContent>("attachment_open", { attachmentId }),
  auditList: (query) => call<AuditEntryView[]>("audit_list", { query }),
  auditVerify: () => call<AuditCheck>("audit_verify"),
  onEvent: (handler) => listen<InboxEvent>(INBOX_EVENT, (e) => handler(e.payload)),
};
