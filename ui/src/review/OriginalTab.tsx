import {
  type KeyboardEvent,
  type ReactNode,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { toBackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import { formatBytes } from "../format";
import { useCall } from "./useCall";
import { findMatches, foldCase, looksLikeXml, prettyXml } from "./xml";

/** At most this many matches either side of the current one are highlighted (the rest are counted). */
const HIGHLIGHT_WINDOW = 1000;

/** The text cut at the matches near `current`, each match in a <mark>. */
function highlighted(text: string, matches: number[], length: number, current: number): ReactNode[] {
  if (matches.length === 0 || length === 0) return [text];
  const lo = Math.max(0, current - HIGHLIGHT_WINDOW);
  const hi = Math.min(matches.length, current + HIGHLIGHT_WINDOW + 1);
  const parts: ReactNode[] = [];
  let from = 0;
  for (let m = lo; m < hi; m += 1) {
    const at = matches[m] as number;
    if (at > from) parts.push(text.slice(from, at));
    parts.push(
      <mark
        key={at}
        className={m === current ? "rv-hit rv-hit-current" : "rv-hit"}
        data-current={m === current}
      >
        {text.slice(at, at + length)}
      </mark>,
    );
    from = at + length;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** The Original message tab: the record as received (GP2GP S63), indented if XML, searchable. */
export function OriginalTab({ transferId }: { transferId: number }) {
  const backend = useBackend();
  const loaded = useCall(String(transferId), () => backend.original(transferId));
  const original = loaded.value;
  const [saveError, setSaveError] = useState<string | null>(null);
  const error = loaded.error ?? saveError;
  const [savedTo, setSavedTo] = useState<string | null>(null);
  const [indent, setIndent] = useState(true);
  const [query, setQuery] = useState("");
  const [current, setCurrent] = useState(0);
  const deferredQuery = useDeferredValue(query);
  const textRef = useRef<HTMLPreElement>(null);

  const xml = original ? looksLikeXml(original.text) : false;
  const shown = useMemo(() => {
    if (!original) return "";
    return xml && indent ? prettyXml(original.text) : original.text;
  }, [original, xml, indent]);
  const folded = useMemo(() => foldCase(shown), [shown]);
  const matches = useMemo(() => findMatches(folded, deferredQuery), [folded, deferredQuery]);
  const at = matches.length === 0 ? 0 : Math.min(current, matches.length - 1);

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when the current match moves or the matches change
  useEffect(() => {
    // Scroll the text box only: the page (and the search box) stay where they are.
    const pre = textRef.current;
    const el = pre?.querySelector<HTMLElement>("mark[data-current='true']");
    if (!pre || !el) return;
    pre.scrollTop = Math.max(0, el.offsetTop - pre.clientHeight / 2);
  }, [at, matches]);

  function step(by: number) {
    if (matches.length === 0) return;
    setCurrent((at + by + matches.length) % matches.length);
  }

  function onSearchKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "Enter") {
      e.preventDefault();
      step(e.shiftKey ? -1 : 1);
    }
  }

  async function save() {
    try {
      setSavedTo(await backend.exportOriginal(transferId));
      setSaveError(null);
    } catch (e) {
      setSaveError(toBackendError(e).message);
    }
  }

  const countText =
    deferredQuery === ""
      ? ""
      : matches.length === 0
        ? "No matches"
        : `${matches.length} ${matches.length === 1 ? "match" : "matches"}`;

  return (
    <div className="rv-original">
      <div className="rv-section-head">
        <div className="rv-section-title">
          <h2>Original message</h2>
          {original && (
            <p className="muted">
              <span className="rv-break">{original.fileName}</span> · {formatBytes(original.sizeBytes)}{" "}
              exactly as received · SHA-256 <code className="hash">{original.sha256}</code>
            </p>
          )}
        </div>
        <button type="button" className="rv-btn rv-btn-primary" onClick={save} disabled={!original}>
          Save a copy
        </button>
      </div>
      {savedTo && (
        <p className="field-ok" role="status">
          Saved to <code>{savedTo}</code>
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!original && !error && <p className="muted rv-pad">Loading the original…</p>}
      {original && (
        <>
          <div className="rv-search">
            <label>
              <span className="visually-hidden">Search the original</span>
              <input
                type="search"
                placeholder="Search the original…"
                value={query}
                onChange={(e) => {
                  setQuery(e.target.value);
                  setCurrent(0);
                }}
                onKeyDown={onSearchKey}
              />
            </label>
            <span className="rv-search-count" data-testid="original-matches" aria-live="polite">
              {countText}
              {matches.length > 0 && <span className="muted"> · showing {at + 1}</span>}
            </span>
            <button type="button" className="rv-btn" onClick={() => step(-1)} disabled={matches.length === 0}>
              Previous
            </button>
            <button type="button" className="rv-btn" onClick={() => step(1)} disabled={matches.length === 0}>
              Next
            </button>
            {xml && (
              <label className="rv-check">
                <input type="checkbox" checked={indent} onChange={(e) => setIndent(e.target.checked)} />{" "}
                Indent the XML
              </label>
            )}
          </div>
          {original.truncated && (
            <p className="muted">
              Showing the first {formatBytes(original.shownBytes)}. Save a copy to see all of it.
            </p>
          )}
          <pre className="rv-original-text" data-testid="original-text" ref={textRef}>
            {highlighted(shown, matches, deferredQuery.length, at)}
          </pre>
        </>
      )}
    </div>
  );
}
