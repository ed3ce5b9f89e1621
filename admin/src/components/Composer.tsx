import { useRef, useState } from "react";
import { api, unwrap } from "../api/client";
import type { Message } from "../api/types";
import { newIdempotencyKey } from "../lib/uuid";
import { ErrorBanner } from "./common";

/**
 * Free-form replies inside the 24-hour window. One Idempotency-Key per draft: retrying the same
 * draft after a network failure cannot send it twice; a new draft gets a new key.
 */
export function Composer({ conversationId, onSent }: { conversationId: number; onSent(m: Message): void }) {
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = useRef(newIdempotencyKey());

  function edit(value: string) {
    setText(value);
    key.current = newIdempotencyKey();
  }

  function choose(f: File | null) {
    setFile(f);
    key.current = newIdempotencyKey();
    if (!f && fileInput.current) fileInput.current.value = "";
  }

  /** A file goes as multipart/form-data (`file`, and the text as its `caption`). */
  async function sendFile(f: File, caption: string): Promise<Message> {
    return unwrap(
      await api.POST("/api/v1/conversations/{id}/messages", {
        params: { path: { id: conversationId }, header: { "Idempotency-Key": key.current } },
        body: { file: f.name, caption: caption || undefined },
        bodySerializer: () => {
          const form = new FormData();
          form.append("file", f, f.name);
          if (caption) form.append("caption", caption);
          return form;
        },
      }),
    );
  }

  async function send(e?: React.FormEvent) {
    e?.preventDefault();
    const body = text.trim();
    if ((!body && !file) || busy) return;
    setBusy(true);
    try {
      const m = file
        ? await sendFile(file, body)
        : unwrap(
            await api.POST("/api/v1/conversations/{id}/messages", {
              params: { path: { id: conversationId }, header: { "Idempotency-Key": key.current } },
              body: { type: "text", text: { body } },
            }),
          );
      onSent(m);
      setText("");
      choose(null);
      key.current = newIdempotencyKey();
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="composer" onSubmit={send} data-testid="composer">
      <ErrorBanner error={error} testId="send-error" />
      {file && (
        <p className="attached" data-testid="attachment">
          Attached: {file.name} ({Math.max(1, Math.round(file.size / 1024))} KB)
          <button type="button" className="link" onClick={() => choose(null)}>
            Remove attachment
          </button>
        </p>
      )}
      <div className="composer-row">
        <label className="attach button-like" title="Attach a file (image, video, audio or document)">
          Attach
          <input
            ref={fileInput}
            type="file"
            aria-label="Attach file"
            onChange={(e) => choose(e.target.files?.[0] ?? null)}
          />
        </label>
        <textarea
          aria-label="Message"
          placeholder={file ? "Add a caption (optional)" : "Write a reply… (Enter sends, Shift+Enter for a new line)"}
          value={text}
          rows={2}
          onChange={(e) => edit(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <button type="submit" className="primary" disabled={busy || (!text.trim() && !file)}>
          Send
        </button>
      </div>
    </form>
  );
}
