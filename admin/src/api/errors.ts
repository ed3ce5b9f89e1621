// Turning the backend's documented error body (`{"error": {"code", "message", "details"}}`) into
// something to show. The backend decides; the app only reports.
import type { ErrorBody } from "./types";

/** An API call that failed, with the backend's error body when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: ErrorBody | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, body: unknown, retryAfter?: string | null) {
    const parsed = isErrorBody(body) ? body : undefined;
    super(describeError(status, parsed));
    this.name = "ApiError";
    this.status = status;
    this.body = parsed;
    this.code = parsed?.error.code ?? `http_${status}`;
    const seconds = retryAfter == null ? NaN : Number.parseInt(retryAfter, 10);
    this.retryAfterSeconds = Number.isFinite(seconds) ? seconds : undefined;
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** "message (code)" plus one "field: message" per rejected field. */
export function describeError(status: number, body: ErrorBody | undefined): string {
  if (!body) return `The server answered ${status}.`;
  const { code, message, details } = body.error;
  const fields = (details ?? []).map((d) => `${d.field}: ${d.message}`);
  return [`${message} (${code})`, ...fields].join("\n");
}

/** Any thrown value as a sentence. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The login screen's wording: wrong credentials, locked out for N minutes, or the server's. */
export function loginErrorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return "Wrong username or password.";
    if (e.status === 429) {
      const seconds = e.retryAfterSeconds;
      if (seconds === undefined) return `Locked out after too many failed attempts. ${e.body?.error.message ?? ""}`.trim();
      const minutes = Math.max(1, Math.ceil(seconds / 60));
      return `Locked out after too many failed attempts: try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    }
    if (e.status === 403 && e.code === "account_deactivated") return "This account is deactivated.";
  }
  return errorText(e);
}
