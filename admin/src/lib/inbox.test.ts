import { describe, expect, it } from "vitest";
import { matchesFilter, mergeMessages, upsertConversation, type InboxFilter } from "./inbox";
import type { Conversation, Message } from "../api/types";

function conv(id: number, over: Partial<Conversation> = {}): Conversation {
  return {
    id,
    business_number_id: 1,
    contact: { id, wa_id: "1555", phone: "+1555" },
    status: "open",
    unread_count: 0,
    last_message_at: `2025-01-01T00:00:0${id}Z`,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    ...over,
  };
}
const all: InboxFilter = { assignee: "all", status: "any", businessNumberId: null };

describe("inbox live updates", () => {
  it("puts a new conversation on top (newest activity first)", () => {
    const list = [conv(2), conv(1)];
    expect(upsertConversation(list, conv(3), all, 1).map((c) => c.id)).toEqual([3, 2, 1]);
  });

  it("replaces an updated conversation in place of the old copy", () => {
    const list = [conv(2), conv(1)];
    const updated = conv(1, { unread_count: 3, last_message_at: "2025-01-01T00:00:09Z" });
    const next = upsertConversation(list, updated, all, 1);
    expect(next.map((c) => [c.id, c.unread_count])).toEqual([
      [1, 3],
      [2, 0],
    ]);
  });

  it("drops a conversation that no longer matches the filter (resolved while viewing open)", () => {
    const f: InboxFilter = { ...all, status: "open" };
    const next = upsertConversation([conv(1), conv(2)], conv(1, { status: "resolved" }), f, 1);
    expect(next.map((c) => c.id)).toEqual([2]);
  });

  it("matches mine / unassigned / number filters", () => {
    const mine = conv(1, { assignee_id: 7 });
    expect(matchesFilter(mine, { ...all, assignee: "me" }, 7)).toBe(true);
    expect(matchesFilter(mine, { ...all, assignee: "me" }, 8)).toBe(false);
    expect(matchesFilter(mine, { ...all, assignee: "unassigned" }, 7)).toBe(false);
    expect(matchesFilter(conv(2), { ...all, assignee: "unassigned" }, 7)).toBe(true);
    expect(matchesFilter(conv(2), { ...all, businessNumberId: 2 }, 7)).toBe(false);
  });
});

describe("mergeMessages", () => {
  const m = (id: number, ts: string, status: Message["status"] = "queued"): Message => ({
    id,
    conversation_id: 1,
    direction: "outbound",
    type: "text",
    payload: {},
    timestamp: ts,
    status,
    status_times: {},
    created_at: ts,
  });

  it("deduplicates by id and keeps thread order by timestamp, then id", () => {
    const thread = [m(1, "2025-01-01T00:00:01Z"), m(3, "2025-01-01T00:00:03Z")];
    const merged = mergeMessages(thread, [m(2, "2025-01-01T00:00:03Z"), m(1, "2025-01-01T00:00:01Z", "sent")]);
    expect(merged.map((x) => [x.id, x.status])).toEqual([
      [1, "sent"],
      [2, "queued"],
      [3, "queued"],
    ]);
  });

  it("prepends an older page", () => {
    const merged = mergeMessages([m(5, "2025-01-01T00:00:05Z")], [m(4, "2025-01-01T00:00:04Z")]);
    expect(merged.map((x) => x.id)).toEqual([4, 5]);
  });
});
