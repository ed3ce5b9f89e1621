import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useMembershipChange, useNumberChange, useUserChange, type UserChange } from "../api/mutations";
import { membersQuery, useNumbers, usersQuery } from "../api/queries";
import type { BusinessNumber, Role, UpdateUserRequest, User } from "../api/types";
import { useApp } from "../context";
import { BusinessNumberPicker, useChosenNumber } from "./BusinessNumberPicker";
import { ErrorBanner } from "./common";

export function AdminPage() {
  const users = useQuery(usersQuery());
  const list = users.data ?? [];

  return (
    <div className="page admin">
      <h1>Admin</h1>
      <ErrorBanner error={users.error} />
      <Users users={list} />
      <Numbers />
      <Memberships users={list} />
    </div>
  );
}

const roles: Role[] = ["admin", "agent", "viewer"];

function Users({ users }: { users: User[] }) {
  const { me } = useApp();
  const [form, setForm] = useState({ username: "", display_name: "", password: "", role: "agent" as Role });
  const change = useUserChange();
  const [notice, setNotice] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<number | null>(null);
  const [newPassword, setNewPassword] = useState("");

  /** Runs a change; on success shows `done` and calls `then`, on failure shows the backend's error. */
  function run(c: UserChange, done: string, then?: () => void) {
    change.mutate(c, {
      onSuccess: () => {
        setNotice(done);
        then?.();
      },
      onError: () => setNotice(null),
    });
  }

  function create(e: React.FormEvent) {
    e.preventDefault();
    run(
      { create: { username: form.username, password: form.password, role: form.role, display_name: form.display_name || null } },
      `Created ${form.username}.`,
      () => setForm({ username: "", display_name: "", password: "", role: "agent" }),
    );
  }

  const patch = (id: number, body: UpdateUserRequest, done: string, then?: () => void) => run({ id, patch: body }, done, then);

  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <ErrorBanner error={change.error} testId="users-error" />
      {notice && (
        <p className="ok" role="status">
          {notice}
        </p>
      )}
      <table data-testid="users-table">
        <thead>
          <tr>
            <th>Username</th>
            <th>Name</th>
            <th>Role</th>
            <th>Active</th>
            <th>Password</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-username={u.username} className={u.active ? undefined : "inactive"}>
              <td>{u.username}</td>
              <td>{u.display_name}</td>
              <td>
                <select
                  aria-label={`Role of ${u.username}`}
                  value={u.role}
                  disabled={u.id === me.id}
                  onChange={(e) => patch(u.id, { role: e.target.value as Role }, `${u.username} is now ${e.target.value}.`)}
                >
                  {roles.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  disabled={u.id === me.id}
                  onClick={() => patch(u.id, { active: !u.active }, `${u.username} ${u.active ? "deactivated" : "reactivated"}.`)}
                >
                  {u.active ? "Deactivate" : "Reactivate"}
                </button>
              </td>
              <td>
                {resetFor === u.id ? (
                  <form
                    className="inline"
                    onSubmit={(e) => {
                      e.preventDefault();
                      patch(u.id, { password: newPassword }, `Password of ${u.username} reset; they were signed out.`, () => {
                        setResetFor(null);
                        setNewPassword("");
                      });
                    }}
                  >
                    <input
                      type="password"
                      aria-label={`New password for ${u.username}`}
                      value={newPassword}
                      autoComplete="new-password"
                      onChange={(e) => setNewPassword(e.target.value)}
                      required
                    />
                    <button type="submit">Save</button>
                    <button type="button" className="link" onClick={() => setResetFor(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  <button type="button" onClick={() => (setResetFor(u.id), setNewPassword(""))}>
                    Reset password
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="form-row" onSubmit={create} aria-label="Create user">
        <h3>New user</h3>
        <label>
          Username
          <input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required />
        </label>
        <label>
          Display name
          <input value={form.display_name} onChange={(e) => setForm({ ...form, display_name: e.target.value })} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
    </section>
  );
}

const emptyNumber = { name: "", display_phone_number: "", phone_number_id: "", waba_id: "" };

function Numbers() {
  const numbers = useNumbers();
  const [form, setForm] = useState(emptyNumber);
  const [editing, setEditing] = useState<number | null>(null);
  const change = useNumberChange();

  function save(e: React.FormEvent) {
    e.preventDefault();
    const body = { ...form, waba_id: form.waba_id.trim() || null };
    change.mutate(editing === null ? { create: body } : { id: editing, patch: body }, {
      onSuccess: () => {
        setForm(emptyNumber);
        setEditing(null);
      },
    });
  }

  function edit(n: BusinessNumber) {
    setEditing(n.id);
    setForm({ name: n.name, display_phone_number: n.display_phone_number, phone_number_id: n.phone_number_id, waba_id: n.waba_id ?? "" });
  }

  return (
    <section className="card" aria-labelledby="numbers-title">
      <h2 id="numbers-title">Business numbers</h2>
      <ErrorBanner error={change.error ?? numbers.error} testId="numbers-error" />
      <table data-testid="numbers-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Phone</th>
            <th>Phone number id</th>
            <th>WABA id</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(numbers.data ?? []).map((n) => (
            <tr key={n.id}>
              <td>{n.name}</td>
              <td>{n.display_phone_number}</td>
              <td>{n.phone_number_id}</td>
              <td>{n.waba_id ?? "—"}</td>
              <td>
                <button type="button" onClick={() => edit(n)} aria-label={`Edit ${n.name}`}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="form-row" onSubmit={save} aria-label={editing === null ? "Create business number" : "Edit business number"}>
        <h3>{editing === null ? "New business number" : "Edit business number"}</h3>
        <label>
          Number name
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <label>
          Display phone number
          <input value={form.display_phone_number} onChange={(e) => setForm({ ...form, display_phone_number: e.target.value })} required placeholder="+15550100001" />
        </label>
        <label>
          Phone number id
          <input value={form.phone_number_id} onChange={(e) => setForm({ ...form, phone_number_id: e.target.value })} required placeholder="106540352242922" />
        </label>
        <label>
          WABA id
          <input value={form.waba_id} onChange={(e) => setForm({ ...form, waba_id: e.target.value })} />
        </label>
        <button type="submit" className="primary">
          {editing === null ? "Create number" : "Save number"}
        </button>
        {editing !== null && (
          <button type="button" className="link" onClick={() => (setEditing(null), setForm(emptyNumber))}>
            Cancel
          </button>
        )}
      </form>
    </section>
  );
}

function Memberships({ users }: { users: User[] }) {
  const [selected, select] = useChosenNumber();
  const membersOf = useQuery({ ...membersQuery(selected ?? 0), enabled: selected !== null });
  const members = membersOf.data ?? [];
  const [userId, setUserId] = useState<number | null>(null);
  const change = useMembershipChange();

  const candidates = users.filter((u) => !members.some((m) => m.user.id === u.id));
  const chosen = userId ?? candidates[0]?.id ?? null;

  function set(uid: number, member: boolean) {
    if (selected === null) return;
    change.mutate({ numberId: selected, userId: uid, member }, { onSuccess: () => setUserId(null) });
  }

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Memberships</h2>
      <ErrorBanner error={change.error ?? membersOf.error} testId="members-error" />
      <BusinessNumberPicker label="Members of" value={selected} onChange={select} />
      <ul className="members" data-testid="members-list">
        {members.map((m) => (
          <li key={m.user.id}>
            {m.user.display_name} <span className="muted">({m.user.username}, {m.user.role})</span>
            <button type="button" className="link" onClick={() => set(m.user.id, false)} aria-label={`Remove ${m.user.username}`}>
              Remove
            </button>
          </li>
        ))}
        {members.length === 0 && <li className="muted">No members yet.</li>}
      </ul>
      {selected !== null && candidates.length > 0 && (
        <form
          className="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen !== null) set(chosen, true);
          }}
        >
          <label>
            User to add
            <select value={chosen ?? ""} onChange={(e) => setUserId(Number(e.target.value))}>
              {candidates.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username} ({u.role})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary">
            Add member
          </button>
        </form>
      )}
    </section>
  );
}
