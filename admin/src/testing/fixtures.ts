// Resources for the unit tests, shaped as the API returns them.
import type { Conversation } from "../api/types";

/** A conversation with id `id` whose last activity sorts by id; `over` replaces any field. */
export function conv(id: number, over: Partial<Conversation> = {}): Conversation {
  return {
    id,
    business_number_id: 1,
    contact: { id, wa_id: "1555", phone: "+1555" },
    status: "open",
    unread_count: 0,
    last_message_at: `2025-01-01T00:00:${String(id).padStart(2, "0")}Z`,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    ...over,
  };
}
