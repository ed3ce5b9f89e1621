import { useRef, useState } from "react";
import { useSendMessage } from "../api/mutations";
import { newIdempotencyKey } from "../lib/uuid";
import { ErrorBanner } from "./common";

/**
 * Free-form replies inside the 24-hour window. One Idempotency-Key per draft: retrying the same
 * draft after a network failure cannot send it twice; a new draft gets a new key.
 */
export function Composer({ conversationId }: { conversationId: number }) {
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const sending = useSendMessage(conversationId);
  const busy = sending.isPending;
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

  /** Text alone goes as JSON; a file with the text as its caption. */
  function send(e?: React.FormEvent) {
    e?.preventDefault();
    const body = text.trim();
    if ((!body && !file) || busy) return;
    const message = file ? { file, caption: body } : { json: { type: "text" as const, text: { body } } };
    sending.mutate(
      { key: key.current, message },
      {
        onSuccess: () => {
          setText("");
          choose(null);
          key.current = newIdempotencyKey();
        },
      },
    );
  }

  return (
    <form className="composer" onSubmit={send} data-testid="composer">
      <ErrorBanner error={sending.error} testId="send-error" />
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
              send();
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
