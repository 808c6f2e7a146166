// The inbox screen's state: a snapshot, then events applied on top. Every event is idempotent, so an
// event that raced the snapshot is harmless.
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";

export function applyEvent(state: InboxSnapshot, event: InboxEvent): InboxSnapshot {
  switch (event.kind) {
    case "transferStored": {
      // A transfer already listed has changed (its attachments arrived, it became incomplete).
      const known = state.transfers.some((t) => t.id === event.transfer.id);
      const transfers = known
        ? state.transfers.map((t) => (t.id === event.transfer.id ? event.transfer : t))
        : [event.transfer, ...state.transfers];
      return { ...state, transfers };
    }
    case "quarantined":
      if (state.quarantine.some((q) => q.id === event.entry.id)) return state;
      return { ...state, quarantine: [event.entry, ...state.quarantine] };
    case "watchChanged":
      return { ...state, watch: event.status };
    case "notice":
      if (state.notices.some((n) => n.at === event.notice.at && n.message === event.notice.message))
        return state;
      return { ...state, notices: [event.notice, ...state.notices].slice(0, 50) };
    case "duplicate":
      return state;
    case "inboxReplaced":
      // Another inbox is shown now: the App loads it afresh.
      return state;
  }
}
