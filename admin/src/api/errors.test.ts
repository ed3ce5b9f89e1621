import { describe, expect, it } from "vitest";
import { ApiError, describeError, loginErrorText } from "./errors";
import type { ErrorCode } from "./types";

const body = (code: ErrorCode, message: string, details?: { field: string; message: string }[]) => ({
  error: { code, message, ...(details ? { details } : {}) },
});

describe("login errors", () => {
  it("says wrong username or password on 401", () => {
    expect(loginErrorText(new ApiError(401, body("invalid_credentials", "invalid username or password")))).toBe(
      "Wrong username or password.",
    );
  });

  it("turns Retry-After seconds into whole minutes on 429", () => {
    const e = new ApiError(429, body("too_many_login_attempts", "too many attempts"), "840");
    expect(loginErrorText(e)).toBe("Locked out after too many failed attempts: try again in 14 minutes.");
    expect(loginErrorText(new ApiError(429, undefined, "30"))).toContain("try again in 1 minute.");
  });

  it("falls back to the server's message when Retry-After is missing", () => {
    const e = new ApiError(429, body("too_many_login_attempts", "try again later"));
    expect(loginErrorText(e)).toBe("Locked out after too many failed attempts. try again later");
  });
});

describe("describeError", () => {
  it("shows the message, the code and each rejected field", () => {
    const text = describeError(422, body("validation_failed", "the request is invalid", [{ field: "password", message: "too short" }]));
    expect(text).toBe("the request is invalid (validation_failed)\npassword: too short");
  });

  it("names the status when the body is not the documented error shape", () => {
    const e = new ApiError(502, "<html>bad gateway</html>");
    expect(e.message).toBe("The server answered 502.");
    expect(e.code).toBe("http_502");
  });
});
