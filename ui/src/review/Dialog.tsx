import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from "react";

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

const FIELDS = "input:not([disabled]), textarea:not([disabled]), select:not([disabled])";

/**
 * A modal dialog: named by its title, Escape closes it, focus starts inside (on `initialFocus`,
 * else the first field, else the first button) and stays inside, and goes back where it was when it closes.
 */
export function Dialog({
  title,
  onClose,
  children,
  wide = false,
  size,
  testId,
  initialFocus,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  /** `medium`: wider than a note, narrower than a viewer. */
  size?: "medium";
  testId?: string;
  /** A CSS selector inside the dialog to focus first. */
  initialFocus?: string;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = ref.current;
    const first =
      root?.querySelector<HTMLElement>(initialFocus ?? FIELDS) ?? root?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? root)?.focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, [initialFocus]);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.stopPropagation();
      e.preventDefault();
      close.current();
      return;
    }
    if (e.key === "Tab" && ref.current) {
      const all = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE));
      const first = all[0];
      const last = all[all.length - 1];
      if (!first || !last) return;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  return (
    <div className="rv-backdrop">
      <div
        ref={ref}
        className={`rv-dialog${wide ? " rv-dialog-wide" : ""}${size ? ` rv-dialog-${size}` : ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        data-testid={testId}
      >
        <div className="rv-dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="rv-close" aria-label="Close" onClick={() => close.current()}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
