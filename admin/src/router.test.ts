import { describe, expect, it } from "vitest";
import { parseRoute } from "./router";

describe("parseRoute", () => {
  it("opens a conversation from a deep link", () => {
    expect(parseRoute("/inbox/42")).toEqual({ page: "inbox", conversationId: 42 });
  });

  it("falls back to the inbox for the root and unknown paths", () => {
    expect(parseRoute("/")).toEqual({ page: "inbox", conversationId: null });
    expect(parseRoute("/inbox/not-a-number")).toEqual({ page: "inbox", conversationId: null });
    expect(parseRoute("/nowhere")).toEqual({ page: "inbox", conversationId: null });
  });

  it("names the other screens", () => {
    expect(["/dashboard", "/admin", "/simulator"].map((p) => parseRoute(p).page)).toEqual(["dashboard", "admin", "simulator"]);
  });
});
