import { describe, expect, it, vi } from "vitest";
import { Session, authorizedFetch, refreshLeadMs, type Timers } from "./session";
import type { TokenResponse } from "../api/types";

function grant(token: string, expiresIn = 900): TokenResponse {
  return {
    access_token: token,
    refresh_token: "opaque",
    token_type: "Bearer",
    expires_in: expiresIn,
    refresh_expires_in: 86400,
    user: { id: 1, username: "admin", display_name: "Admin", role: "admin", active: true, created_at: "", updated_at: "" },
  };
}

function fakeTimers() {
  let now = 1_000_000;
  const pending: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (h) => {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const p of [...pending].sort((a, b) => a.at - b.at)) {
      if (p.at <= now) {
        pending.splice(pending.indexOf(p), 1);
        p.fn();
      }
    }
  };
  return { timers, advance, pending };
}

describe("Session", () => {
  it("concurrent refreshes share a single request (the refresh token is single-use)", async () => {
    let resolve!: (g: TokenResponse) => void;
    const refresh = vi.fn(() => new Promise<TokenResponse>((r) => (resolve = r)));
    const s = new Session(refresh);
    const a = s.refresh();
    const b = s.refresh();
    resolve(grant("new"));
    expect(await a).toBe("new");
    expect(await b).toBe("new");
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(s.token()).toBe("new");
  });

  it("a refresh after the first one settled makes a new request", async () => {
    const refresh = vi.fn(async () => grant(`t${refresh.mock.calls.length}`));
    const s = new Session(refresh);
    await s.refresh();
    await s.refresh();
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it("a refused refresh (401) ends the session and tells listeners", async () => {
    const s = new Session(async () => null);
    s.accept(grant("old"));
    const seen: unknown[] = [];
    s.subscribe((u) => seen.push(u));
    expect(await s.refresh()).toBeNull();
    expect(s.token()).toBeNull();
    expect(s.user).toBeNull();
    expect(seen).toEqual([null]);
  });

  it("a network failure during refresh rejects but keeps the session", async () => {
    const s = new Session(async () => {
      throw new TypeError("network down");
    });
    s.accept(grant("old"));
    await expect(s.refresh()).rejects.toThrow("network down");
    expect(s.token()).toBe("old");
  });

  it("refreshes silently before the access token expires", async () => {
    const { timers, advance } = fakeTimers();
    const refresh = vi.fn(async () => grant("renewed"));
    const s = new Session(refresh, timers);
    s.accept(grant("first", 900));
    advance(900_000 - refreshLeadMs(900) - 1);
    expect(refresh).not.toHaveBeenCalled();
    advance(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(s.token()).toBe("renewed");
  });

  it("an expired access token is not handed out", () => {
    const { timers, advance } = fakeTimers();
    const s = new Session(async () => null, timers);
    s.accept(grant("short", 60));
    expect(s.token()).toBe("short");
    advance(60_000);
    expect(s.token()).toBeNull();
  });

  it("logout clears the scheduled refresh", () => {
    const { timers, pending } = fakeTimers();
    const s = new Session(async () => null, timers);
    s.accept(grant("t"));
    expect(pending).toHaveLength(1);
    s.clear();
    expect(pending).toHaveLength(0);
  });
});

describe("authorizedFetch", () => {
  it("adds the bearer token to each request", async () => {
    const s = new Session(async () => null);
    s.accept(grant("abc"));
    const base = vi.fn(async (_r: Request) => new Response("{}", { status: 200 }));
    await authorizedFetch(s, base)(new Request("http://x/api/v1/auth/me"));
    expect(base.mock.calls[0]![0].headers.get("Authorization")).toBe("Bearer abc");
  });

  it("on a 401 refreshes once and retries the same request (with its body) with the new token", async () => {
    const s = new Session(async () => grant("fresh"));
    s.accept(grant("stale"));
    const seen: { auth: string | null; body: string }[] = [];
    const base = vi.fn(async (r: Request) => {
      seen.push({ auth: r.headers.get("Authorization"), body: await r.text() });
      return new Response("{}", { status: seen.length === 1 ? 401 : 202 });
    });
    const res = await authorizedFetch(s, base)(
      new Request("http://x/api/v1/conversations/1/messages", { method: "POST", body: '{"type":"text"}' }),
    );
    expect(res.status).toBe(202);
    expect(seen).toEqual([
      { auth: "Bearer stale", body: '{"type":"text"}' },
      { auth: "Bearer fresh", body: '{"type":"text"}' },
    ]);
  });

  it("does not retry again when the retry is also refused", async () => {
    const s = new Session(async () => grant("fresh"));
    s.accept(grant("stale"));
    const base = vi.fn(async () => new Response("{}", { status: 401 }));
    const res = await authorizedFetch(s, base)(new Request("http://x/api/v1/auth/me"));
    expect(res.status).toBe(401);
    expect(base).toHaveBeenCalledTimes(2);
  });

  it("parallel 401s trigger one refresh between them", async () => {
    const refresh = vi.fn(async () => grant("fresh"));
    const s = new Session(refresh);
    s.accept(grant("stale"));
    const base = async (r: Request) =>
      new Response("{}", { status: r.headers.get("Authorization") === "Bearer fresh" ? 200 : 401 });
    const f = authorizedFetch(s, base);
    const results = await Promise.all([1, 2, 3].map(() => f(new Request("http://x/api/v1/auth/me"))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
