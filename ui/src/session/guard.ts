// Every call the signed-in app makes goes through this wrapper: a call refused with `not_signed_in`
// (the core locked the session, the profile was disabled) sends the user back to the sign-in screen
// in one place, instead of each screen showing a raw error.
import { type Backend, type BackendError, toBackendError } from "../backend/backend";

export function guardBackend(backend: Backend, onNotSignedIn: (error: BackendError) => void): Backend {
  return new Proxy(backend, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((e: unknown) => {
          const error = toBackendError(e);
          if (error.code === "not_signed_in") onNotSignedIn(error);
          throw error;
        });
      };
    },
  });
}
