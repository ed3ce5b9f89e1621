import { describe, expect, it } from "vitest";
import { failureReason, newerMessage, statusMark, statusRank } from "./status";
import type { Message } from "../api/types";

function msg(over: Partial<Message>): Message {
  return {
    id: 1,
    conversation_id: 1,
    direction: "outbound",
    type: "text",
    payload: { type: "text", text: { body: "hi" } },
    timestamp: "2025-01-01T00:00:00Z",
    status: "queued",
    status_times: {},
    created_at: "2025-01-01T00:00:00Z",
    ...over,
  };
}

describe("statusMark", () => {
  it("maps each outbound status to a WhatsApp-like mark", () => {
    const marks = (["queued", "accepted", "sent", "delivered", "read"] as const).map((status) => {
      const m = statusMark(msg({ status }));
      return [status, m.glyph, m.tone, m.label];
    });
    expect(marks).toEqual([
      ["queued", "◷", "pending", "Queued"],
      ["accepted", "◷", "pending", "Accepted by WhatsApp"],
      ["sent", "✓", "sent", "Sent"],
      ["delivered", "✓✓", "delivered", "Delivered"],
      ["read", "✓✓", "read", "Read"],
    ]);
  });

  it("shows Meta's reason on a failed message", () => {
    const m = statusMark(
      msg({ status: "failed", error: { code: 131047, title: "Re-engagement message", details: "More than 24 hours" } }),
    );
    expect(m.tone).toBe("failed");
    expect(m.label).toBe("Failed: Re-engagement message (131047): More than 24 hours");
  });

  it("draws no mark on a customer's message", () => {
    expect(statusMark(msg({ direction: "inbound", status: "received" })).glyph).toBe("");
  });

  it("names a failure with only a code", () => {
    expect(failureReason({ code: 130429 })).toBe("error 130429");
    expect(failureReason(null)).toBe("no reason given");
  });
});

describe("newerMessage", () => {
  it("never moves an outbound status back (a late page must not undo a live update)", () => {
    const read = msg({ status: "read" });
    expect(newerMessage(read, msg({ status: "delivered" }))).toBe(read);
    const sent = msg({ status: "sent" });
    const delivered = msg({ status: "delivered" });
    expect(newerMessage(sent, delivered)).toBe(delivered);
  });

  it("lets failed follow any earlier status", () => {
    expect(statusRank("failed")).toBeGreaterThan(statusRank("read"));
    const failed = msg({ status: "failed" });
    expect(newerMessage(msg({ status: "sent" }), failed)).toBe(failed);
  });
});
