// User profiles, for an administrator: who may sign in, with which roles; add, change roles,
// disable or enable, reset a PIN. The core refuses all of it to anyone else.
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { BackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { Role } from "../bindings/Role";
import type { UserUpdate } from "../bindings/UserUpdate";
import type { UserView } from "../bindings/UserView";
import { formatInstant, rolesLabel } from "../format";
import { useSession } from "../session/context";
import { RoleCheckboxes } from "../session/RoleCheckboxes";

/** What is being changed for one user, below their row. */
type Editing =
  | { id: number; kind: "roles"; roles: Role[] }
  | { id: number; kind: "pin"; pin: string; confirm: string };

function status(u: UserView, now: number): string {
  if (u.disabled) return "Disabled";
  if (u.lockedUntil && new Date(u.lockedUntil).getTime() > now)
    return `Locked until ${formatInstant(u.lockedUntil)}`;
  return "Active";
}

function PinFields({
  idPrefix,
  pin,
  confirm,
  onChange,
  pinLabel = "PIN",
}: {
  idPrefix: string;
  pin: string;
  confirm: string;
  onChange: (pin: string, confirm: string) => void;
  pinLabel?: string;
}) {
  return (
    <div className="pin-pair">
      <div>
        <label htmlFor={`${idPrefix}-pin`} className="field-label">
          {pinLabel}
        </label>
        <input
          id={`${idPrefix}-pin`}
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          maxLength={12}
          value={pin}
          onChange={(e) => onChange(e.target.value, confirm)}
        />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-confirm`} className="field-label">
          Confirm {pinLabel === "PIN" ? "PIN" : pinLabel.replace(/^New /, "new ")}
        </label>
        <input
          id={`${idPrefix}-confirm`}
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          maxLength={12}
          value={confirm}
          onChange={(e) => onChange(pin, e.target.value)}
        />
      </div>
    </div>
  );
}

const PINS_DIFFER = "The two PINs are different: type the same PIN twice.";

export function UsersSection() {
  const { session } = useSession();
  if (!session.permissions.administer) {
    return (
      <section className="panel users" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <p className="muted" data-testid="users-not-allowed">
          Only an administrator can manage users.
        </p>
      </section>
    );
  }
  return <UsersAdmin />;
}

function UsersAdmin() {
  const backend = useBackend();
  const { session, handleError, reload } = useSession();
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [error, setError] = useState<BackendError | string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [name, setName] = useState("");
  const [roles, setRoles] = useState<Role[]>(["clinician"]);
  const [pin, setPin] = useState("");
  const [confirm, setConfirm] = useState("");
  const [addError, setAddError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setUsers(await backend.users());
    } catch (e) {
      setError(handleError(e));
    }
  }, [backend, handleError]);

  useEffect(() => {
    void load();
  }, [load]);

  /** One change to a profile; the list and (the user's own roles may have changed) the session follow. */
  async function change(update: UserUpdate, said: string) {
    setDone(null);
    setError(null);
    try {
      const changed = await backend.updateUser(update);
      setUsers((list) => list?.map((u) => (u.id === changed.id ? changed : u)) ?? list);
      setEditing(null);
      setDone(said);
      if (changed.id === session.user?.id) void reload();
    } catch (e) {
      setError(handleError(e));
    }
  }

  async function add(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    if (pin !== confirm) {
      setAddError(PINS_DIFFER);
      return;
    }
    try {
      const user = await backend.createUser({ name: name.trim(), roles, pin });
      setUsers((list) => [...(list ?? []), user].sort((a, b) => a.name.localeCompare(b.name)));
      setName("");
      setRoles(["clinician"]);
      setPin("");
      setConfirm("");
      setAddError(null);
      setDone(`${user.name} can now sign in.`);
    } catch (err) {
      setAddError(handleError(err)?.message ?? null);
    }
  }

  function saveEdit(e: FormEvent) {
    e.preventDefault();
    if (!editing) return;
    const user = users?.find((u) => u.id === editing.id);
    if (!user) return;
    if (editing.kind === "roles") {
      void change(
        { id: user.id, roles: editing.roles, disabled: null, pin: null },
        `${user.name}'s roles changed.`,
      );
    } else if (editing.pin !== editing.confirm) {
      setError(PINS_DIFFER);
    } else {
      void change(
        { id: user.id, roles: null, disabled: null, pin: editing.pin },
        `${user.name}'s PIN was reset.`,
      );
    }
  }

  const now = Date.now();
  const message = typeof error === "string" ? error : error?.message;
  return (
    <section className="panel users" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <p className="hint">
        Everyone who signs in to GP2GP Inbox on this computer. Roles decide what they may do: only an
        administrator or a clinician can integrate or reject a record, only a prescriber can re-authorise a
        repeat, only a clinician can propose a new code.
      </p>
      {done && (
        <p className="field-ok" role="status">
          {done}
        </p>
      )}
      {message && !editing && (
        <p className="field-error" role="alert">
          {message}
        </p>
      )}
      {users === null ? (
        !error && <p className="muted">Loading…</p>
      ) : (
        <table className="users-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Changes</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => {
              const open = editing?.id === u.id ? editing : null;
              const me = u.id === session.user?.id;
              return [
                <tr
                  key={u.id}
                  data-testid="user-row"
                  data-user-id={u.id}
                  className={u.disabled ? "disabled" : ""}
                >
                  <td className="user-name-cell">
                    {u.name}
                    {me && <span className="sub"> (you)</span>}
                  </td>
                  <td>{rolesLabel(u.roles)}</td>
                  <td>{status(u, now)}</td>
                  <td className="user-actions">
                    <button
                      type="button"
                      className="link"
                      aria-label={`Change roles for ${u.name}`}
                      onClick={() => {
                        setError(null);
                        setEditing({ id: u.id, kind: "roles", roles: [...u.roles] });
                      }}
                    >
                      Change roles
                    </button>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Reset PIN for ${u.name}`}
                      onClick={() => {
                        setError(null);
                        setEditing({ id: u.id, kind: "pin", pin: "", confirm: "" });
                      }}
                    >
                      Reset PIN
                    </button>
                    <button
                      type="button"
                      className="link"
                      aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.name}`}
                      onClick={() =>
                        change(
                          { id: u.id, roles: null, disabled: !u.disabled, pin: null },
                          u.disabled ? `${u.name} can sign in again.` : `${u.name} can no longer sign in.`,
                        )
                      }
                    >
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                  </td>
                </tr>,
                open && (
                  <tr key={`${u.id}-edit`} className="user-edit">
                    <td colSpan={4}>
                      <form
                        onSubmit={saveEdit}
                        aria-label={open.kind === "roles" ? `Roles for ${u.name}` : `New PIN for ${u.name}`}
                      >
                        {open.kind === "roles" ? (
                          <RoleCheckboxes
                            legend={`Roles for ${u.name}`}
                            value={open.roles}
                            onChange={(r) => setEditing({ ...open, roles: r })}
                          />
                        ) : (
                          <PinFields
                            idPrefix={`reset-${u.id}`}
                            pinLabel="New PIN"
                            pin={open.pin}
                            confirm={open.confirm}
                            onChange={(p, c) => setEditing({ ...open, pin: p, confirm: c })}
                          />
                        )}
                        {message && (
                          <p className="field-error" role="alert">
                            {message}
                          </p>
                        )}
                        <div className="actions">
                          <button type="submit" className="primary">
                            {open.kind === "roles" ? "Save roles" : "Reset PIN"}
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            onClick={() => {
                              setEditing(null);
                              setError(null);
                            }}
                          >
                            Cancel
                          </button>
                        </div>
                      </form>
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}

      <form className="add-user" onSubmit={add} aria-labelledby="add-user-title">
        <h3 id="add-user-title">Add a user</h3>
        <label htmlFor="new-user-name" className="field-label">
          Name
        </label>
        <input
          id="new-user-name"
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Dr Jane Smith"
          autoComplete="off"
          spellCheck={false}
        />
        <RoleCheckboxes value={roles} onChange={setRoles} />
        <PinFields
          idPrefix="new-user"
          pin={pin}
          confirm={confirm}
          onChange={(p, c) => {
            setPin(p);
            setConfirm(c);
          }}
        />
        <p className="hint">4 to 12 digits. Tell the user their PIN; if it is forgotten, reset it here.</p>
        {addError && (
          <p className="field-error" role="alert">
            {addError}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary">
            Add user
          </button>
        </div>
      </form>
    </section>
  );
}
