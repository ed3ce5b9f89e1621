import type { Conversation } from "../api/types";

export function contactName(c: Conversation["contact"]): string {
  return c.display_name || c.profile_name || c.phone;
}

/** "14:05" today, "3 Jun 14:05" otherwise. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString(undefined, { day: "numeric", month: "short" })} ${time}`;
}

export function previewText(c: Conversation): string {
  const m = c.last_message;
  if (!m) return "No messages yet";
  const body = m.type === "template" ? `Template ${m.text ?? ""}`.trim() : (m.text ?? `[${m.type}]`);
  return m.direction === "outbound" ? `You: ${body}` : body;
}
