import { describe, expect, it } from "vitest";
import { windowLabel, windowState } from "./window";

const now = new Date("2025-06-01T12:00:00Z");

describe("windowState", () => {
  it("is open until window_expires_at, with the time left", () => {
    const s = windowState({ window_expires_at: "2025-06-02T11:30:00Z" }, now);
    expect(s.open).toBe(true);
    expect(windowLabel(s)).toBe("Window open: 23h 30m left");
  });

  it("shows minutes only in the last hour", () => {
    expect(windowLabel(windowState({ window_expires_at: "2025-06-01T12:04:59Z" }, now))).toBe("Window open: 4m left");
  });

  it("is closed once the expiry has passed", () => {
    const s = windowState({ window_expires_at: "2025-06-01T12:00:00Z" }, now);
    expect(s).toMatchObject({ open: false, reason: "expired" });
    expect(windowLabel(s)).toBe("Window closed");
  });

  it("is closed when the customer never wrote (business-initiated conversation)", () => {
    const s = windowState({ window_expires_at: null }, now);
    expect(s).toEqual({ open: false, reason: "never" });
    expect(windowLabel(s)).toContain("has not written");
  });
});
