// The record review screen: check a transferred record section by section, then decide on it.
import "./review.css";
import {
  type JSX,
  type KeyboardEvent as ReactKeyboardEvent,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import { type BackendError, toBackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { DecisionRequest } from "../bindings/DecisionRequest";
import type { IntentionKind } from "../bindings/IntentionKind";
import type { MarkState } from "../bindings/MarkState";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { ReviewView } from "../bindings/ReviewView";
import type { Section } from "../bindings/Section";
import type { SectionPage } from "../bindings/SectionPage";
import type { SessionView } from "../bindings/SessionView";
import type { TimelineItem } from "../bindings/TimelineItem";
import { AttachmentViewer } from "./AttachmentViewer";
import { DecisionBar, DecisionDialog } from "./Decision";
import { FlagDialog, RecodeDialog } from "./ItemDialogs";
import { OriginalTab } from "./OriginalTab";
import { PatientBanner, PatientWarnings, ReturningNotice } from "./PatientBanner";
import { type ItemActions, SectionList } from "./SectionList";
import { SafetyStrip, SummaryTab } from "./Summary";
import { TimelineTab } from "./Timeline";
import { SECTION_LABEL, SECTIONS } from "./text";

export interface ReviewScreenProps {
  transferId: number;
  session: SessionView;
  /** Back to the inbox (the "Back to inbox" button, and Escape). */
  onClose: () => void;
  /** After every successful decision call, with the review as it now stands (for "Decide later" too, with `decision.decided` still null). */
  onDecided?: (view: ReviewView) => void;
}

type Tab = "summary" | Section | "timeline" | "original";

const TABS: { id: Tab; label: string }[] = [
  { id: "summary", label: "Summary" },
  { id: "medications", label: SECTION_LABEL.medications },
  { id: "allergies", label: SECTION_LABEL.allergies },
  { id: "degraded", label: SECTION_LABEL.degraded },
  { id: "attachments", label: SECTION_LABEL.attachments },
  { id: "timeline", label: "Timeline" },
  { id: "original", label: "Original message" },
];

const isSection = (t: Tab): t is Section => (SECTIONS as readonly string[]).includes(t);

type Open =
  | { kind: "flag"; section: Section; item: ReviewItem }
  | { kind: "recode"; section: Section; item: ReviewItem }
  | { kind: "viewer"; attachmentId: number; title: string }
  | { kind: "decision" };

type Cursor = Record<Section, number>;

/** Keys typed here are text, not shortcuts. */
const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true'], [role='dialog']";

export function ReviewScreen(props: ReviewScreenProps): JSX.Element {
  // A different transfer is a different screen: nothing carries over.
  return <Review key={props.transferId} {...props} />;
}

function Review({ transferId, session, onClose, onDecided }: ReviewScreenProps): JSX.Element {
  const backend = useBackend();
  const ids = useId();
  const [view, setView] = useState<ReviewView | null>(null);
  const [openError, setOpenError] = useState<BackendError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [tab, setTab] = useState<Tab>("summary");
  const [visited, setVisited] = useState<ReadonlySet<Tab>>(() => new Set<Tab>(["summary"]));
  const [pages, setPages] = useState<Partial<Record<Section, SectionPage>>>({});
  const [pageErrors, setPageErrors] = useState<Partial<Record<Section, string | null>>>({});
  const [timeline, setTimeline] = useState<TimelineItem[] | null>(null);
  const [timelineError, setTimelineError] = useState<string | null>(null);
  const [cursor, setCursor] = useState<Cursor>({ medications: 0, allergies: 0, degraded: 0, attachments: 0 });
  const [open, setOpen] = useState<Open | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [deferred, setDeferred] = useState(false);

  const cursorRef = useRef(cursor);
  const pagesRef = useRef(pages);
  pagesRef.current = pages;
  const listRef = useRef<HTMLTableElement>(null);
  const focusCursor = useRef(false);
  const pending = useRef(0);
  const requested = useRef(new Set<Tab>());
  const pageSeq = useRef<Cursor>({ medications: 0, allergies: 0, degraded: 0, attachments: 0 });
  const opening = useRef<{ attempt: number; promise: Promise<ReviewView> } | null>(null);

  // Open the record once (the core audits it as a record view); StrictMode's second effect reuses the call.
  useEffect(() => {
    if (opening.current?.attempt !== attempt) {
      opening.current = { attempt, promise: backend.reviewOpen(transferId) };
    }
    let live = true;
    opening.current.promise.then(
      (v) => {
        if (!live) return;
        setView(v);
        setOpenError(null);
      },
      (e: unknown) => live && setOpenError(toBackendError(e)),
    );
    return () => {
      live = false;
    };
  }, [backend, transferId, attempt]);

  const loadSection = useCallback(
    async (section: Section) => {
      pageSeq.current[section] += 1;
      const seq = pageSeq.current[section];
      try {
        const page = await backend.reviewSection(transferId, section);
        if (seq !== pageSeq.current[section]) return;
        setPages((p) => ({ ...p, [section]: page }));
        setPageErrors((e) => ({ ...e, [section]: null }));
      } catch (e) {
        if (seq !== pageSeq.current[section]) return;
        setPageErrors((x) => ({ ...x, [section]: toBackendError(e).message }));
      }
    },
    [backend, transferId],
  );

  // Sections, the timeline and the original load when their tab is first opened.
  useEffect(() => {
    if (!view || requested.current.has(tab)) return;
    if (isSection(tab)) {
      requested.current.add(tab);
      void loadSection(tab);
    } else if (tab === "timeline") {
      requested.current.add(tab);
      backend
        .reviewTimeline(transferId)
        .then(setTimeline)
        .catch((e: unknown) => setTimelineError(toBackendError(e).message));
    }
  }, [view, tab, backend, transferId, loadSection]);

  // After a keyboard move, the cursor row takes the focus and scrolls into view.
  useEffect(() => {
    if (!focusCursor.current || !isSection(tab)) return;
    const rows = listRef.current?.querySelectorAll<HTMLElement>('[data-testid="review-item"]');
    const row = rows?.[cursor[tab]];
    // The section may still be loading: the row takes the focus once it is there.
    if (!row) return;
    focusCursor.current = false;
    row.focus({ preventScroll: true });
    row.scrollIntoView?.({ block: "nearest" });
  });

  function selectTab(t: Tab) {
    setTab(t);
    setVisited((v) => (v.has(t) ? v : new Set([...v, t])));
    setActionError(null);
  }

  function setCursorOf(section: Section, i: number) {
    if (cursorRef.current[section] === i) return;
    cursorRef.current = { ...cursorRef.current, [section]: i };
    setCursor(cursorRef.current);
  }

  function move(section: Section, by: number) {
    const items = pagesRef.current[section]?.items ?? [];
    if (items.length === 0) return;
    const next = Math.min(items.length - 1, Math.max(0, cursorRef.current[section] + by));
    cursorRef.current = { ...cursorRef.current, [section]: next };
    focusCursor.current = true;
    // A new object even when the index stays: the render runs the focus effect.
    setCursor(cursorRef.current);
  }

  function patchItems(section: Section, keys: string[], patch: (item: ReviewItem) => ReviewItem) {
    setPages((p) => {
      const page = p[section];
      if (!page) return p;
      return {
        ...p,
        [section]: { ...page, items: page.items.map((i) => (keys.includes(i.key) ? patch(i) : i)) },
      };
    });
  }

  /** Runs a review call; the view it returns replaces ours; the section is read again when calls settle. */
  async function reviewCall(
    section: Section,
    call: () => Promise<ReviewView>,
    patch: () => void,
  ): Promise<void> {
    pending.current += 1;
    try {
      const v = await call();
      setView(v);
      patch();
      setActionError(null);
    } finally {
      pending.current -= 1;
      if (pending.current === 0) void loadSection(section);
    }
  }

  const by = session.user?.name ?? "";

  function markItems(section: Section, keys: string[], state: MarkState | null, note: string | null) {
    return reviewCall(
      section,
      () => backend.reviewMark({ transferId, section, keys, state, note }),
      () =>
        patchItems(section, keys, (i) => ({
          ...i,
          mark: state ? { state, note, by, at: new Date().toISOString() } : null,
        })),
    );
  }

  function intention(
    section: Section,
    item: ReviewItem,
    kind: IntentionKind,
    clear: boolean,
    code: string | null = null,
    term: string | null = null,
  ) {
    return reviewCall(
      section,
      () => backend.reviewIntention({ transferId, section, key: item.key, kind, code, term, clear }),
      () =>
        patchItems(section, [item.key], (i) => ({
          ...i,
          intentions: [
            ...i.intentions.filter((x) => x.kind !== kind),
            ...(clear ? [] : [{ kind, code, term, by, at: new Date().toISOString() }]),
          ],
        })),
    );
  }

  const report = (e: unknown) => setActionError(toBackendError(e).message);

  const actions: ItemActions = {
    mark: (section, keys, state, note) => {
      markItems(section, keys, state, note).catch(report);
    },
    flag: (section, item) => setOpen({ kind: "flag", section, item }),
    reauthorise: (item, on) => {
      intention("medications", item, "reauthorise", !on).catch(report);
    },
    recode: (section, item) => setOpen({ kind: "recode", section, item }),
    withdrawRecode: (section, item) => {
      intention(section, item, "recode", true).catch(report);
    },
    open: (item) => {
      if (item.body.type === "attachment" && item.body.attachmentId !== null) {
        setOpen({ kind: "viewer", attachmentId: item.body.attachmentId, title: item.body.title });
      }
    },
  };

  async function decide(request: DecisionRequest) {
    const v = await backend.decide(request);
    setView(v);
    setOpen(null);
    setDeferred(request.kind === "defer");
    onDecided?.(v);
  }

  const readOnly = view?.decision.decided != null;

  // Keyboard first: the screen listens while it is shown.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  onKey.current = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || open) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target?.closest(TYPING)) return;
    if (e.key === "Escape") {
      e.preventDefault();
      onClose();
      return;
    }
    if (!view) return;
    const n = ["1", "2", "3", "4"].indexOf(e.key);
    const chosen = SECTIONS[n];
    if (chosen) {
      e.preventDefault();
      selectTab(chosen);
      // The keys that follow (space, j, k, f) act on the section's rows, not on the button that
      // had the focus before.
      focusCursor.current = true;
      return;
    }
    if (!isSection(tab)) return;
    const section = tab;
    const item = pagesRef.current[section]?.items[cursorRef.current[section]];
    switch (e.key) {
      case "j":
      case "k":
        e.preventDefault();
        move(section, e.key === "j" ? 1 : -1);
        return;
      case "ArrowDown":
      case "ArrowUp":
        // Arrows move the cursor only from a row; elsewhere they scroll the page.
        if (!target?.closest('[data-testid="review-item"]')) return;
        e.preventDefault();
        move(section, e.key === "ArrowDown" ? 1 : -1);
        return;
      case " ":
        // Space on a button or a disclosure presses it; on a section tab (already chosen) it marks.
        if (target?.closest('button:not([role="tab"]), a, summary')) return;
        e.preventDefault();
        if (e.repeat || !item) return;
        if (!readOnly && item.mark === null) actions.mark(section, [item.key], "reviewed", null);
        move(section, 1);
        return;
      case "f":
        if (!item || readOnly) return;
        e.preventDefault();
        setOpen({ kind: "flag", section, item });
        return;
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  function onTabKey(e: ReactKeyboardEvent) {
    const at = TABS.findIndex((t) => t.id === tab);
    const to =
      e.key === "ArrowRight"
        ? (at + 1) % TABS.length
        : e.key === "ArrowLeft"
          ? (at - 1 + TABS.length) % TABS.length
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? TABS.length - 1
              : -1;
    const next = TABS[to];
    if (!next) return;
    e.preventDefault();
    selectTab(next.id);
    document.getElementById(`${ids}-tab-${next.id}`)?.focus();
  }

  if (!view) {
    return (
      <div className="rv-screen" data-testid="review-screen">
        <div className="rv-banner rv-banner-loading">
          <div className="rv-banner-top">
            <div className="rv-banner-name">
              {openError ? (
                <span role="alert">
                  <strong>The record could not be opened.</strong> {openError.message}
                </span>
              ) : (
                "Opening the record…"
              )}
            </div>
            <div className="rv-banner-actions">
              {openError && openError.code !== "not_found" && (
                <button type="button" className="rv-back" onClick={() => setAttempt((a) => a + 1)}>
                  Try again
                </button>
              )}
              <button type="button" className="rv-back" onClick={onClose}>
                Back to inbox
              </button>
            </div>
          </div>
        </div>
      </div>
    );
  }

  const progressOf = (s: Section) => view.sections.find((p) => p.section === s);
  const panelId = (t: Tab) => `${ids}-panel-${t}`;
  const tabId = (t: Tab) => `${ids}-tab-${t}`;

  return (
    <div className="rv-screen" data-testid="review-screen" data-transfer-id={transferId}>
      <PatientBanner view={view} onBack={onClose} />
      <PatientWarnings view={view} />
      <ReturningNotice view={view} />
      <SafetyStrip summary={view.summary} onGo={selectTab} />

      <div className="rv-tabbar">
        <div className="rv-tabs" role="tablist" aria-label="Record review" onKeyDown={onTabKey}>
          {TABS.map((t) => {
            const p = isSection(t.id) ? progressOf(t.id) : undefined;
            const selected = tab === t.id;
            return (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={tabId(t.id)}
                aria-selected={selected}
                aria-controls={panelId(t.id)}
                aria-label={t.label}
                aria-describedby={p ? `${tabId(t.id)}-progress` : undefined}
                tabIndex={selected ? 0 : -1}
                className={selected ? "rv-tab rv-tab-selected" : "rv-tab"}
                onClick={() => selectTab(t.id)}
              >
                <span>{t.label}</span>
                {p && (
                  <span
                    id={`${tabId(t.id)}-progress`}
                    className={p.complete ? "rv-tab-progress rv-tab-complete" : "rv-tab-progress"}
                    data-testid={`section-progress-${t.id}`}
                  >
                    {p.complete && <span aria-hidden="true">✓ </span>}
                    {p.seen} of {p.total}
                  </span>
                )}
              </button>
            );
          })}
        </div>
      </div>

      {actionError && (
        <div className="banner banner-error rv-action-error" role="alert">
          {actionError}
        </div>
      )}

      {tab === "summary" && (
        <div role="tabpanel" id={panelId("summary")} aria-labelledby={tabId("summary")} className="rv-panel">
          <SummaryTab view={view} onGo={selectTab} />
        </div>
      )}
      {isSection(tab) && (
        <div role="tabpanel" id={panelId(tab)} aria-labelledby={tabId(tab)} className="rv-panel">
          <SectionList
            section={tab}
            page={pages[tab]}
            error={pageErrors[tab] ?? null}
            progress={progressOf(tab)}
            cursor={cursor[tab]}
            onCursor={(i) => setCursorOf(tab, i)}
            permissions={session.permissions}
            readOnly={readOnly}
            actions={actions}
            listRef={listRef}
          />
        </div>
      )}
      {visited.has("timeline") && (
        <div
          role="tabpanel"
          id={panelId("timeline")}
          aria-labelledby={tabId("timeline")}
          className="rv-panel"
          hidden={tab !== "timeline"}
        >
          <TimelineTab items={timeline} error={timelineError} />
        </div>
      )}
      {visited.has("original") && (
        <div
          role="tabpanel"
          id={panelId("original")}
          aria-labelledby={tabId("original")}
          className="rv-panel"
          hidden={tab !== "original"}
        >
          <OriginalTab transferId={transferId} />
        </div>
      )}

      <DecisionBar view={view} deferred={deferred} onDecide={() => setOpen({ kind: "decision" })} />

      {open?.kind === "flag" && (
        <FlagDialog
          item={open.item}
          onClose={() => setOpen(null)}
          onFlag={(note) => markItems(open.section, [open.item.key], "flagged", note)}
        />
      )}
      {open?.kind === "recode" && (
        <RecodeDialog
          item={open.item}
          onClose={() => setOpen(null)}
          onRecode={(code, term) => intention(open.section, open.item, "recode", false, code, term)}
        />
      )}
      {open?.kind === "viewer" && (
        <AttachmentViewer attachmentId={open.attachmentId} title={open.title} onClose={() => setOpen(null)} />
      )}
      {open?.kind === "decision" && (
        <DecisionDialog view={view} onClose={() => setOpen(null)} onDecide={decide} />
      )}
    </div>
  );
}
