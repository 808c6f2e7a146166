import type { Role } from "../bindings/Role";
import { roleLabel } from "../format";

export const ROLES: readonly Role[] = ["administrator", "clinician", "prescriber", "trainer"];

const ROLE_HINTS: Record<Role, string> = {
  administrator: "users, settings, and may integrate or reject",
  clinician: "integrate or reject, propose codes",
  prescriber: "re-authorise repeat medication",
  trainer: "training mode",
};

/** A checkbox per role; `fixed` roles are always ticked and cannot be cleared. */
export function RoleCheckboxes({
  value,
  onChange,
  fixed = [],
  disabled = false,
  legend = "Roles",
}: {
  value: readonly Role[];
  onChange: (roles: Role[]) => void;
  fixed?: readonly Role[];
  disabled?: boolean;
  legend?: string;
}) {
  const toggle = (role: Role, on: boolean) =>
    onChange(ROLES.filter((r) => (r === role ? on : value.includes(r) || fixed.includes(r))));
  return (
    <fieldset className="roles" disabled={disabled}>
      <legend>{legend}</legend>
      {ROLES.map((role) => {
        const isFixed = fixed.includes(role);
        return (
          <div key={role} className="role-check">
            <label>
              <input
                type="checkbox"
                checked={isFixed || value.includes(role)}
                disabled={isFixed}
                onChange={(e) => toggle(role, e.target.checked)}
              />{" "}
              {roleLabel(role)}
            </label>
            <span className="sub">{ROLE_HINTS[role]}</span>
          </div>
        );
      })}
    </fieldset>
  );
}
