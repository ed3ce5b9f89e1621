import { describe, expect, it } from "vitest";
import type { Message } from "../api/types";
import { contentOf, textParameters } from "./payload";

const base = { id: 1, conversation_id: 1, direction: "outbound", timestamp: "2025-01-01T00:00:00Z", status: "queued", status_times: {}, created_at: "2025-01-01T00:00:00Z" } as const;

describe("contentOf", () => {
  it("gives a template message's template", () => {
    const m: Message = {
      ...base,
      type: "template",
      payload: { type: "template", template: { name: "order_update", language: { code: "en_US" }, components: [] } },
    };
    expect(contentOf(m, "template")?.template.name).toBe("order_update");
  });

  it("gives nothing for an unsupported message whose payload keeps Meta's type", () => {
    const m: Message = { ...base, direction: "inbound", type: "unsupported", payload: { type: "text", text: 5 } };
    expect(contentOf(m, "text")).toBeNull();
  });
});

describe("textParameters", () => {
  it("collects the text values of every component and skips the others", () => {
    expect(
      textParameters([
        { type: "header", parameters: [{ type: "image", image: { link: "https://example.com/a.png" } }] },
        { type: "body", parameters: [{ type: "text", text: "42" }, { type: "currency", currency: { fallback_value: "$1", code: "USD", amount_1000: 1000 } }] },
        { type: "button", sub_type: "url", index: 0, parameters: [{ type: "text", text: "track/42" }] },
        { type: "carousel", cards: [] },
      ]),
    ).toEqual(["42", "track/42"]);
  });
});
