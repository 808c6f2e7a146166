import { useEffect, useRef } from "react";

/** Tell the core the user is active at most this often. */
export const TOUCH_EVERY_MS = 30_000;

/** What counts as the user being at the screen. */
export const ACTIVITY_EVENTS = ["keydown", "pointerdown", "wheel"] as const;

export interface IdleLockOptions {
  /** Minutes without activity before `onIdle`. */
  minutes: number;
  /** The user is active (called at most once per {@link TOUCH_EVERY_MS}). */
  onTouch: () => void;
  /** No activity for `minutes`. */
  onIdle: () => void;
  /** The clock, in milliseconds (tests can pass their own; vitest's fake timers fake `Date.now` too). */
  now?: () => number;
  /** Where activity is heard (the window). */
  target?: EventTarget;
}

/**
 * Locks the screen after a while without activity, and keeps the core's session alive while the user
 * is active. Timers only: no polling of the clock, no sleeps.
 */
export function useIdleLock({ minutes, onTouch, onIdle, now = Date.now, target }: IdleLockOptions): void {
  const latest = useRef({ onTouch, onIdle, now });
  latest.current = { onTouch, onIdle, now };

  useEffect(() => {
    const where = target ?? window;
    const clock = () => latest.current.now();
    const limit = Math.max(1, minutes) * 60_000;
    let lastActive = clock();
    let lastTouch = lastActive;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;

    const check = () => {
      const idle = clock() - lastActive;
      if (idle >= limit) {
        done = true;
        latest.current.onIdle();
      } else {
        timer = setTimeout(check, limit - idle);
      }
    };
    const activity = () => {
      if (done) return;
      const t = clock();
      lastActive = t;
      if (t - lastTouch >= TOUCH_EVERY_MS) {
        lastTouch = t;
        latest.current.onTouch();
      }
    };

    timer = setTimeout(check, limit);
    for (const name of ACTIVITY_EVENTS)
      where.addEventListener(name, activity, { capture: true, passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) where.removeEventListener(name, activity, { capture: true });
    };
  }, [minutes, target]);
}
