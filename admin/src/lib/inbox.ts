// Keeping the inbox list and the open thread current from live events.
import type { Conversation, ConversationStatus, Message } from "../api/types";
import { newerMessage } from "./status";

export type AssigneeFilter = "all" | "me" | "unassigned";

export interface InboxFilter {
  assignee: AssigneeFilter;
  status: ConversationStatus | "any";
  businessNumberId: number | null;
}

/** Whether a conversation belongs in the list the filter asked the backend for. */
export function matchesFilter(c: Conversation, f: InboxFilter, meId: number | null): boolean {
  if (f.status !== "any" && c.status !== f.status) return false;
  if (f.businessNumberId !== null && c.business_number_id !== f.businessNumberId) return false;
  if (f.assignee === "me" && (meId === null || c.assignee_id !== meId)) return false;
  if (f.assignee === "unassigned" && c.assignee_id != null) return false;
  return true;
}

function byActivity(a: Conversation, b: Conversation): number {
  const d = Date.parse(b.last_message_at) - Date.parse(a.last_message_at);
  return d !== 0 ? d : b.id - a.id;
}

/** The list after a live `conversation.created`/`updated`: replaced, added, or dropped. */
export function upsertConversation(
  list: Conversation[],
  c: Conversation,
  f: InboxFilter,
  meId: number | null,
): Conversation[] {
  const rest = list.filter((x) => x.id !== c.id);
  if (!matchesFilter(c, f, meId)) return rest.length === list.length ? list : rest;
  return [...rest, c].sort(byActivity);
}

function byThreadOrder(a: Message, b: Message): number {
  const d = Date.parse(a.timestamp) - Date.parse(b.timestamp);
  return d !== 0 ? d : a.id - b.id;
}

/** The thread after messages arrive (live or a page): deduplicated by id, in thread order. */
export function mergeMessages(thread: Message[], incoming: Message[]): Message[] {
  const byId = new Map(thread.map((m) => [m.id, m] as const));
  for (const m of incoming) {
    const current = byId.get(m.id);
    byId.set(m.id, current ? newerMessage(current, m) : m);
  }
  return [...byId.values()].sort(byThreadOrder);
}
