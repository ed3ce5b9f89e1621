// How a message's delivery status is drawn: WhatsApp-like marks with an accessible label.
import type { Message } from "../api/types";

export type MarkTone = "pending" | "sent" | "delivered" | "read" | "failed" | "none";

export interface StatusMark {
  /** What is drawn: a clock, one tick, two ticks, or a warning sign. */
  glyph: string;
  /** For screen readers, titles and tests. */
  label: string;
  tone: MarkTone;
}

const OUTBOUND_ORDER = ["queued", "accepted", "sent", "delivered", "read"] as const;

/** The rank of an outbound status (higher is further along); `failed` outranks everything. */
export function statusRank(status: string): number {
  if (status === "failed") return 100;
  const i = (OUTBOUND_ORDER as readonly string[]).indexOf(status);
  return i;
}

export function statusMark(message: Pick<Message, "direction" | "status" | "error">): StatusMark {
  if (message.direction !== "outbound") return { glyph: "", label: "Received", tone: "none" };
  switch (message.status) {
    case "queued":
      return { glyph: "◷", label: "Queued", tone: "pending" };
    case "accepted":
      return { glyph: "◷", label: "Accepted by WhatsApp", tone: "pending" };
    case "sent":
      return { glyph: "✓", label: "Sent", tone: "sent" };
    case "delivered":
      return { glyph: "✓✓", label: "Delivered", tone: "delivered" };
    case "read":
      return { glyph: "✓✓", label: "Read", tone: "read" };
    case "failed":
      return { glyph: "!", label: `Failed: ${failureReason(message.error)}`, tone: "failed" };
    default:
      return { glyph: "?", label: message.status, tone: "none" };
  }
}

/** Meta's reason for a failure: "title (code): details", as much as Meta gave. */
export function failureReason(error: Message["error"]): string {
  if (!error) return "no reason given";
  const head = error.title ? `${error.title} (${error.code})` : `error ${error.code}`;
  return error.details ? `${head}: ${error.details}` : head;
}

/**
 * Keeps the newer of two copies of one message: a live update and a page fetched at about the
 * same time can arrive in either order, and a status never goes back.
 */
export function newerMessage(current: Message, incoming: Message): Message {
  if (current.direction === "outbound" && statusRank(incoming.status) < statusRank(current.status)) {
    return current;
  }
  return incoming;
}
