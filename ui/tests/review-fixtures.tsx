// Rendering the review screen on the fixture backend, with a synthetic record added.
import { render } from "@testing-library/react";
import { BackendProvider } from "../src/backend/context";
import { type FixtureBackend, signedInSession } from "../src/backend/fixture";
import { type FixtureRecord, type SyntheticOptions, syntheticRecord } from "../src/backend/fixture-review";
import type { ReviewView } from "../src/bindings/ReviewView";
import type { Role } from "../src/bindings/Role";
import type { SessionView } from "../src/bindings/SessionView";
import { ReviewScreen } from "../src/review/ReviewScreen";
import { backend } from "./fixtures";

/** A fixture backend holding one synthetic record (transfer 1), or the record given. */
export function reviewBackend(opts: SyntheticOptions & { record?: FixtureRecord } = {}): FixtureBackend {
  const b = backend();
  const record = opts.record ?? syntheticRecord(opts);
  b.review.add(record);
  // The inbox's row for it too, so the original can be read.
  b.state = { ...b.state, transfers: [record.transfer] };
  return b;
}

/** Signs the fixture in as a user with these roles (the UI hides; the fixture refuses). */
export function signInAs(b: FixtureBackend, name: string, roles: Role[]): SessionView {
  const session = signedInSession({ id: 7, name, roles, disabled: false, lockedUntil: null });
  b.sessionView = session;
  b.review.actor = { name, permissions: session.permissions };
  return session;
}

/** Marks every item of every section reviewed, in the fixture (as if done earlier). */
export function reviewEverything(record: FixtureRecord, by = "Dr Earlier Reviewer"): FixtureRecord {
  for (const items of Object.values(record.items)) {
    for (const i of items) i.mark = { state: "reviewed", note: null, by, at: "2026-11-20T09:00:00Z" };
  }
  return record;
}

export function renderReview(
  b: FixtureBackend,
  props: { onClose?: () => void; onDecided?: (v: ReviewView) => void; session?: SessionView } = {},
) {
  return render(
    <BackendProvider backend={b}>
      <ReviewScreen
        transferId={1}
        session={props.session ?? b.sessionView}
        onClose={props.onClose ?? (() => {})}
        {...(props.onDecided ? { onDecided: props.onDecided } : {})}
      />
    </BackendProvider>,
  );
}
