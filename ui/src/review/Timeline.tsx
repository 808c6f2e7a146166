import { useMemo, useState } from "react";
import type { TimelineItem } from "../bindings/TimelineItem";
import { formatPartialDate } from "../format";

/** How many lines are drawn at first, and added by each "Show more". */
export const TIMELINE_PAGE = 300;

const KIND_LABEL: Record<string, string> = {
  consultation: "Consultation",
  problem: "Problem",
  result: "Result",
  letter: "Letter",
};

/** Newest first; lines without a date last; the order received otherwise (stable). */
export function newestFirst(items: TimelineItem[]): TimelineItem[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => {
      const x = a.item.at;
      const y = b.item.at;
      if (x === y) return a.i - b.i;
      if (x === null) return 1;
      if (y === null) return -1;
      return x < y ? 1 : -1;
    })
    .map((e) => e.item);
}

export function TimelineTab({ items, error }: { items: TimelineItem[] | null; error: string | null }) {
  const [kind, setKind] = useState("all");
  const [shown, setShown] = useState(TIMELINE_PAGE);
  const sorted = useMemo(() => (items ? newestFirst(items) : []), [items]);
  const filtered = useMemo(
    () => (kind === "all" ? sorted : sorted.filter((i) => i.kind === kind)),
    [sorted, kind],
  );
  if (error) {
    return (
      <p className="field-error" role="alert">
        {error}
      </p>
    );
  }
  if (!items) return <p className="muted rv-pad">Loading the timeline…</p>;
  const visible = filtered.slice(0, shown);
  const more = filtered.length - visible.length;
  return (
    <div className="rv-timeline">
      <div className="rv-section-head">
        <div className="rv-section-title">
          <h2>Timeline</h2>
          <p className="muted" data-testid="timeline-count">
            Showing {visible.length} of {filtered.length} {filtered.length === 1 ? "entry" : "entries"},
            newest first
          </p>
        </div>
        <label className="rv-inline-field">
          Show{" "}
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setShown(TIMELINE_PAGE);
            }}
          >
            <option value="all">Everything</option>
            <option value="consultation">Consultations</option>
            <option value="problem">Problems</option>
            <option value="result">Results</option>
            <option value="letter">Letters</option>
          </select>
        </label>
      </div>
      {filtered.length === 0 ? (
        <p className="muted rv-pad">Nothing to show.</p>
      ) : (
        <ol className="rv-timeline-list">
          {visible.map((t, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: timeline lines have no id; the list only grows at its end
            <li key={i} className="rv-tl" data-testid="timeline-item" data-kind={t.kind}>
              <span className="rv-tl-date">{t.at ? formatPartialDate(t.at) : "No date"}</span>
              <span className={`rv-kind rv-kind-${t.kind}`}>{KIND_LABEL[t.kind] ?? t.kind}</span>
              <div className="rv-tl-body">
                <span className="rv-tl-title">{t.title || "(untitled)"}</span>
                {t.nopat && (
                  <span
                    className="rv-badge rv-badge-neutral"
                    title="Not visible to the patient online (NOPAT)"
                  >
                    NOPAT
                  </span>
                )}
                {t.detail && <div className="rv-tl-detail">{t.detail}</div>}
                {t.author && <div className="rv-tl-author">{t.author}</div>}
              </div>
            </li>
          ))}
        </ol>
      )}
      {more > 0 && (
        <div className="rv-more">
          <button type="button" className="rv-btn" onClick={() => setShown((n) => n + TIMELINE_PAGE)}>
            Show more ({Math.min(more, TIMELINE_PAGE)} of {more} remaining)
          </button>
        </div>
      )}
    </div>
  );
}
