// The 24-hour customer-service window as the backend reports it (`window_expires_at`).
import type { Conversation } from "../api/types";

export type WindowState =
  | { open: true; expiresAt: Date; remainingMs: number }
  | { open: false; reason: "never" | "expired"; expiredAt?: Date };

export function windowState(
  conversation: Pick<Conversation, "window_expires_at">,
  now: Date = new Date(),
): WindowState {
  const raw = conversation.window_expires_at;
  if (!raw) return { open: false, reason: "never" };
  const expiresAt = new Date(raw);
  const remainingMs = expiresAt.getTime() - now.getTime();
  if (Number.isNaN(remainingMs) || remainingMs <= 0) return { open: false, reason: "expired", expiredAt: expiresAt };
  return { open: true, expiresAt, remainingMs };
}

/** "23h 5m left", "4m left", "closed", "closed (the customer never wrote)". */
export function windowLabel(state: WindowState): string {
  if (!state.open) return state.reason === "never" ? "Window closed: the customer has not written" : "Window closed";
  const minutes = Math.floor(state.remainingMs / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `Window open: ${h > 0 ? `${h}h ${m}m` : `${Math.max(m, 0)}m`} left`;
}
