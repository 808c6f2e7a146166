// The list of transfers, virtualised: every row is ROW_HEIGHT pixels high, and only the rows in view
// (plus a few either side) are in the page, so 10,000 transfers scroll as smoothly as ten.
import {
  type KeyboardEvent,
  memo,
  type UIEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import type { TransferRow } from "../bindings/TransferRow";
import { countdown, formatInstant, formatNhsNumber, formatPartialDate } from "../format";
import { isDecided } from "./arrange";
import { attentionSummary, countsSummary } from "./summary";

/** Every row's height in pixels (the stylesheet's `.transfers .transfer-row` agrees). */
export const ROW_HEIGHT = 92;
/** Rows rendered beyond the visible ones, above and below. */
export const OVERSCAN = 6;
/** The list's height until it can be measured (and in tests, where nothing has a size). */
const FALLBACK_VIEWPORT = 600;
/** The sticky header's height. */
const HEADER_HEIGHT = 38;
const COLUMNS = 6;

const SEX: Record<string, string> = {
  female: "Female",
  male: "Male",
  other: "Other",
  unknown: "Sex not known",
};

function StatusView({ t }: { t: TransferRow }) {
  switch (t.status) {
    case "ready":
      return <span className="status status-ready">Ready for review</span>;
    case "awaitingAttachments":
      return (
        <span className="status status-waiting" title="Large attachments are sent as separate messages">
          Awaiting attachments
          <span className="sub">
            {t.partsMissing} of {t.partsExpected} {t.partsExpected === 1 ? "part" : "parts"} to come
          </span>
        </span>
      );
    case "incomplete":
      return (
        <span className="status status-incomplete" title={t.failureReason ?? undefined}>
          Incomplete{t.failureCode ? ` · code ${t.failureCode}` : ""}
          {t.failureReason && <span className="sub one-line">{t.failureReason}</span>}
        </span>
      );
    case "integrated":
      return (
        <span className="status status-integrated">
          Integrated
          <span className="sub">{formatInstant(t.statusAt)}</span>
        </span>
      );
    case "rejected":
      return (
        <span className="status status-rejected">
          Rejected
          <span className="sub">{formatInstant(t.statusAt)}</span>
        </span>
      );
    case "suppressed":
      return (
        <span className="status status-suppressed">
          Suppressed
          <span className="sub">{formatInstant(t.statusAt)}</span>
        </span>
      );
  }
}

interface RowProps {
  t: TransferRow;
  index: number;
  now: Date;
  onOpen: (transferId: number) => void;
  onOriginal: (transferId: number) => void;
  onMove: (index: number) => void;
}

const TransferRowView = memo(function TransferRowView({
  t,
  index,
  now,
  onOpen,
  onOriginal,
  onMove,
}: RowProps) {
  const decided = isDecided(t);
  const due = decided ? null : countdown(t.sentUtc, now);
  const attention = attentionSummary(t);
  const name = t.patient ? `${t.patient.familyName.toUpperCase()}, ${t.patient.givenName}` : null;

  function onKeyDown(e: KeyboardEvent<HTMLTableRowElement>) {
    if (e.target !== e.currentTarget) return;
    if (e.key === "Enter") {
      e.preventDefault();
      onOpen(t.id);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      onMove(index + (e.key === "ArrowDown" ? 1 : -1));
    }
  }

  return (
    <tr
      className="transfer-row"
      data-testid="transfer-row"
      data-transfer-id={t.id}
      data-nhs-number={t.nhsNumber ?? ""}
      data-status={t.status}
      data-index={index}
      aria-rowindex={index + 2}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onDoubleClick={() => onOpen(t.id)}
    >
      <td>
        <div className="cell">
          {name ? (
            <div className="patient-name one-line" title={name}>
              {name}
            </div>
          ) : (
            <div>
              <span
                className="tag tag-warn tag-first"
                title="No registration at this practice has this NHS number"
              >
                Not registered here
              </span>
            </div>
          )}
          <div className="one-line">
            {t.nhsNumber ? (
              <span className="nhs-number">{formatNhsNumber(t.nhsNumber)}</span>
            ) : (
              <span className="muted">No NHS number</span>
            )}
            {!t.nhsNumberValid && (
              <span className="tag tag-warn" title="The NHS number is missing or fails its check digit">
                Check NHS number
              </span>
            )}
          </div>
          {t.patient?.dateOfBirth && (
            <div className="sub one-line">
              Born {formatPartialDate(t.patient.dateOfBirth)} · {SEX[t.patient.sex] ?? "Sex not known"}
            </div>
          )}
        </div>
      </td>
      <td>
        <div className="cell">
          <StatusView t={t} />
          {decided ? (
            <div className="countdown countdown-decided">Decided</div>
          ) : (
            due && (
              <div
                className={`countdown countdown-${due.level}`}
                title="GP2GP asks for a record to be integrated within 8 days of being sent"
              >
                {due.text}
              </div>
            )
          )}
        </div>
      </td>
      <td className="record-cell">
        <div className="cell">
          <div className="clamp-3" title={countsSummary(t)}>
            {countsSummary(t)}
          </div>
          <div>
            {t.sample && <span className="tag tag-sample tag-first">Sample</span>}
            {t.readErrors > 0 && (
              <span
                className={`tag tag-warn${t.sample ? "" : " tag-first"}`}
                title="Parts of the message could not be read; the rest is shown"
              >
                Read with errors
              </span>
            )}
          </div>
        </div>
      </td>
      <td className="attention-cell">
        <div className="cell">
          {attention ? (
            <div className="attention">{attention}</div>
          ) : (
            <span className="muted">{decided ? "—" : "Nothing flagged"}</span>
          )}
        </div>
      </td>
      <td>
        <div className="cell">
          <div className="ods">{t.sendingOds ?? <span className="muted">Not given</span>}</div>
          <div className="sub one-line">
            Sent <span className="nowrap">{t.sentAt ? formatPartialDate(t.sentAt) : "—"}</span>
          </div>
          <div className="sub">
            Received <span className="nowrap">{formatInstant(t.receivedAt)}</span>
          </div>
        </div>
      </td>
      <td className="actions-cell">
        <div className="cell">
          <button type="button" className="secondary small" onClick={() => onOpen(t.id)}>
            Review
          </button>
          <div>
            <button
              type="button"
              className="link small-link"
              onClick={() => onOriginal(t.id)}
              aria-label={`View original ${t.fileName}`}
              title={t.fileName}
            >
              Original
            </button>
          </div>
        </div>
      </td>
    </tr>
  );
});

export function TransferTable({
  rows,
  now,
  resetKey,
  active = true,
  focusId = null,
  onOpen,
  onOriginal,
}: {
  rows: readonly TransferRow[];
  now: Date;
  /** Changes when the search, filter or order change: the list goes back to the top. */
  resetKey: string;
  /** False while hidden behind another screen; on coming back the list is where it was. */
  active?: boolean;
  /** The row to focus on coming back (the transfer just reviewed). */
  focusId?: number | null;
  onOpen: (transferId: number) => void;
  onOriginal: (transferId: number) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // The first row scrolled into view; state changes only when a row boundary is crossed.
  const [topRow, setTopRow] = useState(0);
  const [viewport, setViewport] = useState(FALLBACK_VIEWPORT);
  const [focusRequest, setFocusRequest] = useState<{ index: number } | null>(null);
  // Where the list was scrolled to: a hidden element forgets it.
  const scrolled = useRef(0);
  const total = rows.length;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport(el.clientHeight > 0 ? el.clientHeight : FALLBACK_VIEWPORT);
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: resetKey is the trigger.
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    scrolled.current = 0;
    setTopRow(0);
  }, [resetKey]);

  const onScroll = useCallback((e: UIEvent<HTMLDivElement>) => {
    scrolled.current = e.currentTarget.scrollTop;
    setTopRow(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT));
  }, []);

  // Back from another screen: the same place in the list, the focus on the row last opened.
  const focusRef = useRef(focusId);
  focusRef.current = focusId;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!active || !el) return;
    if (el.clientHeight > 0) setViewport(el.clientHeight);
    if (el.scrollTop !== scrolled.current) el.scrollTop = scrolled.current;
    if (focusRef.current !== null)
      el.querySelector<HTMLElement>(`tr[data-transfer-id="${focusRef.current}"]`)?.focus({
        preventScroll: true,
      });
  }, [active]);

  const move = useCallback(
    (index: number) => {
      if (index < 0 || index >= total) return;
      const el = scroller.current;
      if (el) {
        const top = index * ROW_HEIGHT;
        const bottom = top + ROW_HEIGHT + HEADER_HEIGHT;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (bottom > el.scrollTop + viewport) el.scrollTop = bottom - viewport;
        scrolled.current = el.scrollTop;
        setTopRow(Math.floor(el.scrollTop / ROW_HEIGHT));
      }
      setFocusRequest({ index });
    },
    [total, viewport],
  );

  useEffect(() => {
    if (!focusRequest) return;
    scroller.current
      ?.querySelector<HTMLElement>(`tr[data-index="${focusRequest.index}"]`)
      ?.focus({ preventScroll: true });
  }, [focusRequest]);

  const visible = Math.ceil(viewport / ROW_HEIGHT) + 1;
  const start = Math.max(0, Math.min(topRow, total - visible) - OVERSCAN);
  const end = Math.min(total, start + visible + 2 * OVERSCAN);

  return (
    <div className="transfer-scroll" ref={scroller} onScroll={onScroll} data-testid="transfer-list">
      <table className="transfers" aria-rowcount={total + 1}>
        <colgroup>
          <col className="col-patient" />
          <col className="col-status" />
          <col className="col-record" />
          <col className="col-attention" />
          <col className="col-from" />
          <col className="col-actions" />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col">Patient</th>
            <th scope="col">Status</th>
            <th scope="col">Record</th>
            <th scope="col">To review</th>
            <th scope="col">Sending practice</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {start > 0 && (
            // biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty spacer holding the height of the rows above.
            <tr className="spacer" aria-hidden="true">
              <td colSpan={COLUMNS} style={{ height: start * ROW_HEIGHT }} />
            </tr>
          )}
          {rows.slice(start, end).map((t, i) => (
            <TransferRowView
              key={t.id}
              t={t}
              index={start + i}
              now={now}
              onOpen={onOpen}
              onOriginal={onOriginal}
              onMove={move}
            />
          ))}
          {end < total && (
            // biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty spacer holding the height of the rows below.
            <tr className="spacer" aria-hidden="true">
              <td colSpan={COLUMNS} style={{ height: (total - end) * ROW_HEIGHT }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
