import { useEffect, useRef, useState } from "react";
import { toBackendError } from "../backend/backend";

/**
 * The result of one backend call per `key`: made once even when StrictMode runs effects twice
 * (some calls are audited, such as opening an attachment), and again only when `key` changes.
 */
export function useCall<T>(key: string, call: () => Promise<T>): { value: T | null; error: string | null } {
  const made = useRef<{ key: string; promise: Promise<T> } | null>(null);
  const [state, setState] = useState<{ key: string; value: T | null; error: string | null }>({
    key,
    value: null,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: the call is made again only for a new key
  useEffect(() => {
    if (made.current?.key !== key) made.current = { key, promise: call() };
    let live = true;
    made.current.promise.then(
      (value) => live && setState({ key, value, error: null }),
      (e: unknown) => live && setState({ key, value: null, error: toBackendError(e).message }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state.key === key ? { value: state.value, error: state.error } : { value: null, error: null };
}
