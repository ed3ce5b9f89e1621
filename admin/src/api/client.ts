// The API clients, generated from openapi/openapi.json (see src/api/schema.d.ts).
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import type { TokenResponse } from "./types";
import { ApiError } from "./errors";
import { Session, authorizedFetch } from "../auth/session";

/** Unauthenticated calls: sign-in, refresh, sign-out (the refresh token is the HttpOnly cookie). */
export const publicApi = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

async function refreshGrant(): Promise<TokenResponse | null> {
  const { data, error, response } = await publicApi.POST("/api/v1/auth/refresh", { body: {} });
  if (data) return data;
  if (response.status === 401) return null;
  throw new ApiError(response.status, error);
}

/**
 * Tabs share the one refresh cookie, and it is single-use: two tabs refreshing at the same moment
 * would present the same token twice, which the backend treats as theft and answers by revoking
 * the session. A browser-wide lock makes the second tab wait and then send the rotated cookie.
 */
function acrossTabs(refresh: () => Promise<TokenResponse | null>): () => Promise<TokenResponse | null> {
  return async () =>
    typeof navigator !== "undefined" && navigator.locks
      ? ((await navigator.locks.request("switchboard-refresh", refresh)) as TokenResponse | null)
      : refresh();
}

export const session = new Session(acrossTabs(refreshGrant));

/** Authenticated calls: bearer token added, one silent refresh and retry on a 401. */
export const api = createClient<paths>({ baseUrl: "", fetch: authorizedFetch(session) });

/** The data of an openapi-fetch result, or an ApiError carrying the backend's error body. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    if (result.response.ok && result.data === undefined && result.error === undefined) return undefined as T;
    throw new ApiError(result.response.status, result.error, result.response.headers.get("Retry-After"));
  }
  return result.data;
}

export async function login(username: string, password: string): Promise<void> {
  const result = await publicApi.POST("/api/v1/auth/login", { body: { username, password } });
  session.accept(unwrap(result));
}

/** Restores a session from the refresh cookie on page load; false when there is none. */
export async function restoreSession(): Promise<boolean> {
  try {
    return (await session.refresh()) !== null;
  } catch {
    return false;
  }
}

export async function logout(): Promise<void> {
  try {
    await publicApi.POST("/api/v1/auth/logout", { body: {} });
  } finally {
    session.clear();
  }
}
