// The signed-in session: the access token lives in this object's memory only (never storage,
// never a readable cookie, never logged). The refresh token is the backend's HttpOnly cookie,
// so refreshing is a call the browser authenticates by itself.
import type { TokenResponse, User } from "../api/types";

/** What a refresh gives: a new grant, or `null` when the session is over (401). */
export type RefreshFn = () => Promise<TokenResponse | null>;

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Refresh this long before expiry: a fifth of the lifetime, at most a minute. */
export function refreshLeadMs(expiresInSeconds: number): number {
  return Math.min(60_000, expiresInSeconds * 200);
}

export type SessionListener = (user: User | null) => void;

export class Session {
  #token: string | null = null;
  #expiresAt = 0;
  #user: User | null = null;
  #inflight: Promise<string | null> | null = null;
  #timer: unknown = null;
  #listeners = new Set<SessionListener>();
  readonly #refreshFn: RefreshFn;
  readonly #timers: Timers;

  constructor(refresh: RefreshFn, timers: Timers = realTimers) {
    this.#refreshFn = refresh;
    this.#timers = timers;
  }

  get user(): User | null {
    return this.#user;
  }

  /** The access token while it is still valid, else `null` (then call `refresh`). */
  token(): string | null {
    if (this.#token && this.#timers.now() < this.#expiresAt) return this.#token;
    return null;
  }

  /** Takes a login or refresh answer and schedules the next silent refresh. */
  accept(grant: TokenResponse): void {
    const changedUser = this.#user?.id !== grant.user.id || this.#user?.role !== grant.user.role;
    this.#token = grant.access_token;
    this.#expiresAt = this.#timers.now() + grant.expires_in * 1000;
    this.#user = grant.user;
    this.#schedule(grant.expires_in);
    if (changedUser) this.#emit();
  }

  /** Forgets everything (logout, or the backend said the session is over). */
  clear(): void {
    const had = this.#user !== null || this.#token !== null;
    this.#token = null;
    this.#expiresAt = 0;
    this.#user = null;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    if (had) this.#emit();
  }

  /**
   * A fresh access token. Concurrent callers share one request (the refresh token is single-use:
   * two parallel refreshes would look like reuse and revoke the session). `null` when the
   * session is over; a network failure rejects and keeps the session.
   */
  refresh(): Promise<string | null> {
    if (this.#inflight) return this.#inflight;
    const run = (async () => {
      try {
        const grant = await this.#refreshFn();
        if (!grant) {
          this.clear();
          return null;
        }
        this.accept(grant);
        return grant.access_token;
      } finally {
        this.#inflight = null;
      }
    })();
    this.#inflight = run;
    return run;
  }

  subscribe(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #schedule(expiresIn: number): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    const delay = Math.max(1_000, expiresIn * 1000 - refreshLeadMs(expiresIn));
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      // A failed background refresh is retried by the next request's 401 handling.
      this.refresh().catch(() => undefined);
    }, delay);
  }

  #emit(): void {
    for (const l of this.#listeners) l(this.#user);
  }
}

/**
 * A `fetch` for the API client: adds the bearer token, and on a 401 refreshes once and
 * retries once with the new token.
 */
export function authorizedFetch(session: Session, base: (req: Request) => Promise<Response> = (r) => fetch(r)) {
  return async (request: Request): Promise<Response> => {
    const retry = request.clone();
    let token = session.token();
    let refreshed = false;
    if (!token) {
      token = await session.refresh().catch(() => null);
      refreshed = true;
    }
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    const response = await base(request);
    if (response.status !== 401 || refreshed) return response;
    const fresh = await session.refresh().catch(() => null);
    if (!fresh) return response;
    retry.headers.set("Authorization", `Bearer ${fresh}`);
    return base(retry);
  };
}
