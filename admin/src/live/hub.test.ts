import { describe, expect, it } from "vitest";
import { toLiveEvent } from "./hub";

describe("toLiveEvent", () => {
  it("keeps each kind the spec lists, with its data", () => {
    for (const type of ["conversation.created", "conversation.updated", "message.created", "message.updated"]) {
      expect(toLiveEvent({ id: "7", type, data: { id: 1 } })).toEqual({ type, id: "7", data: { id: 1 } });
    }
  });

  it("skips kinds it does not know, events without an id and data that is not a resource", () => {
    expect(toLiveEvent({ id: "7", type: "note.created", data: { id: 1 } })).toBeNull();
    expect(toLiveEvent({ id: undefined, type: "message.created", data: { id: 1 } })).toBeNull();
    expect(toLiveEvent({ id: "7", type: "message.created", data: "not json" })).toBeNull();
    expect(toLiveEvent({ id: "7", type: "message.created", data: null })).toBeNull();
  });
});
