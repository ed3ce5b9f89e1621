import { useCallback, useEffect, useState } from "react";
import { api, unwrap } from "../api/client";
import type { BusinessNumber, Member, Role, User } from "../api/types";
import { useApp } from "../context";
import { ErrorBanner } from "./common";

export function AdminPage() {
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const reloadUsers = useCallback(() => {
    api
      .GET("/api/v1/users")
      .then((r) => setUsers(unwrap(r).items))
      .catch(setError);
  }, []);
  useEffect(reloadUsers, [reloadUsers]);

  return (
    <div className="page admin">
      <h1>Admin</h1>
      <ErrorBanner error={error} />
      <Users users={users} reload={reloadUsers} />
      <Numbers />
      <Memberships users={users} />
    </div>
  );
}

const roles: Role[] = ["admin", "agent", "viewer"];

function Users({ users, reload }: { users: User[]; reload(): void }) {
  const { me } = useApp();
  const [form, setForm] = useState({ username: "", display_name: "", password: "", role: "agent" as Role });
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<number | null>(null);
  const [newPassword, setNewPassword] = useState("");

  async function run(action: () => Promise<unknown>, done?: string) {
    try {
      await action();
      setError(null);
      setNotice(done ?? null);
      reload();
      return true;
    } catch (e) {
      setError(e);
      setNotice(null);
      return false;
    }
  }

  async function create(e: React.FormEvent) {
    e.preventDefault();
    const ok = await run(
      async () =>
        unwrap(
          await api.POST("/api/v1/users", {
            body: { username: form.username, password: form.password, role: form.role, display_name: form.display_name || null },
          }),
        ),
      `Created ${form.username}.`,
    );
    if (ok) setForm({ username: "", display_name: "", password: "", role: "agent" });
  }

  const patch = (id: number, body: { role?: Role; active?: boolean; password?: string }, done: string) =>
    run(async () => unwrap(await api.PATCH("/api/v1/users/{id}", { params: { path: { id } }, body })), done);

  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <ErrorBanner error={error} testId="users-error" />
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
                  onChange={(e) => void patch(u.id, { role: e.target.value as Role }, `${u.username} is now ${e.target.value}.`)}
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
                  onClick={() => void patch(u.id, { active: !u.active }, `${u.username} ${u.active ? "deactivated" : "reactivated"}.`)}
                >
                  {u.active ? "Deactivate" : "Reactivate"}
                </button>
              </td>
              <td>
                {resetFor === u.id ? (
                  <form
                    className="inline"
                    onSubmit={async (e) => {
                      e.preventDefault();
                      if (await patch(u.id, { password: newPassword }, `Password of ${u.username} reset; they were signed out.`)) {
                        setResetFor(null);
                        setNewPassword("");
                      }
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
  const { numbers, reloadNumbers } = useApp();
  const [form, setForm] = useState(emptyNumber);
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    const body = { ...form, waba_id: form.waba_id.trim() || null };
    try {
      if (editing === null) unwrap(await api.POST("/api/v1/business-numbers", { body }));
      else unwrap(await api.PATCH("/api/v1/business-numbers/{id}", { params: { path: { id: editing } }, body }));
      setForm(emptyNumber);
      setEditing(null);
      setError(null);
      reloadNumbers();
    } catch (err) {
      setError(err);
    }
  }

  function edit(n: BusinessNumber) {
    setEditing(n.id);
    setForm({ name: n.name, display_phone_number: n.display_phone_number, phone_number_id: n.phone_number_id, waba_id: n.waba_id ?? "" });
  }

  return (
    <section className="card" aria-labelledby="numbers-title">
      <h2 id="numbers-title">Business numbers</h2>
      <ErrorBanner error={error} testId="numbers-error" />
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
          {numbers.map((n) => (
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
  const { numbers } = useApp();
  const [numberId, setNumberId] = useState<number | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [userId, setUserId] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const selected = numberId ?? numbers[0]?.id ?? null;

  const load = useCallback(() => {
    if (selected === null) return;
    api
      .GET("/api/v1/business-numbers/{id}/members", { params: { path: { id: selected } } })
      .then((r) => setMembers(unwrap(r).items))
      .catch(setError);
  }, [selected]);
  useEffect(load, [load]);

  const candidates = users.filter((u) => !members.some((m) => m.user.id === u.id));
  const chosen = userId ?? candidates[0]?.id ?? null;

  async function change(kind: "add" | "remove", uid: number) {
    if (selected === null) return;
    try {
      const params = { path: { id: selected, user_id: uid } };
      if (kind === "add") unwrap(await api.PUT("/api/v1/business-numbers/{id}/members/{user_id}", { params }));
      else unwrap(await api.DELETE("/api/v1/business-numbers/{id}/members/{user_id}", { params }));
      setUserId(null);
      setError(null);
      load();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Memberships</h2>
      <ErrorBanner error={error} testId="members-error" />
      <label>
        Members of
        <select value={selected ?? ""} onChange={(e) => setNumberId(Number(e.target.value))}>
          {numbers.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.display_phone_number})
            </option>
          ))}
        </select>
      </label>
      <ul className="members" data-testid="members-list">
        {members.map((m) => (
          <li key={m.user.id}>
            {m.user.display_name} <span className="muted">({m.user.username}, {m.user.role})</span>
            <button type="button" className="link" onClick={() => void change("remove", m.user.id)} aria-label={`Remove ${m.user.username}`}>
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
            if (chosen !== null) void change("add", chosen);
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
