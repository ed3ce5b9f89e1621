import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { mediaQuery } from "../api/queries";
import type { Message } from "../api/types";
import { shortTime } from "../lib/format";
import { contentOf, textParameters } from "../lib/payload";
import { failureReason, statusMark } from "../lib/status";

function templateSummary(m: Message): string | null {
  if (m.type !== "template") return null;
  const t = contentOf(m, "template")?.template;
  if (!t?.name) return m.text ? `Template ${m.text}` : "Template";
  const params = textParameters(t.components);
  return `Template ${t.name}${t.language.code ? ` (${t.language.code})` : ""}${params.length ? `: ${params.join(", ")}` : ""}`;
}

export function MessageBubble({ message: m }: { message: Message }) {
  const mark = statusMark(m);
  const body = templateSummary(m) ?? m.text ?? (m.media ? null : `[${m.type}]`);
  return (
    <div className={`msg ${m.direction}`} data-testid="message" data-direction={m.direction} data-status={m.status} data-message-id={m.id}>
      <div className="bubble">
        {m.media && <MediaView message={m} />}
        {body && <p className="msg-text">{body}</p>}
        <span className="msg-meta">
          <time dateTime={m.timestamp}>{shortTime(m.timestamp)}</time>
          {mark.glyph && (
            <span className={`mark mark-${mark.tone}`} data-testid="status-mark" data-status={m.status} aria-label={mark.label} title={mark.label}>
              {mark.glyph}
            </span>
          )}
        </span>
        {m.status === "failed" && (
          <p className="msg-error" role="note" data-testid="failure-reason">
            Not delivered: {failureReason(m.error)}
          </p>
        )}
      </div>
    </div>
  );
}

function MediaView({ message }: { message: Message }) {
  const media = message.media!;
  const bytes = useQuery({ ...mediaQuery(message.id), enabled: media.state === "stored" });
  const file = useObjectUrl(bytes.data);

  if (media.state === "pending") return <p className="muted">Downloading {message.type}…</p>;
  if (media.state === "failed" || bytes.isError) return <p className="msg-error">The {message.type} could not be downloaded.</p>;
  if (!file) return <p className="muted">Loading {message.type}…</p>;
  const mime = media.mime_type ?? file.type;
  if (mime.startsWith("image/")) return <img className="media" src={file.url} alt={message.text ?? `${message.type} from the conversation`} />;
  if (mime.startsWith("video/")) return <video className="media" src={file.url} controls />;
  if (mime.startsWith("audio/")) return <audio src={file.url} controls />;
  return (
    <a href={file.url} download={`message-${message.id}`} className="download">
      Download {message.type} ({mime}
      {media.size != null ? `, ${Math.ceil(media.size / 1024)} KB` : ""})
    </a>
  );
}

/** An object URL for the blob while it is shown, revoked afterwards. */
function useObjectUrl(blob: Blob | undefined): { url: string; type: string } | null {
  const [file, setFile] = useState<{ url: string; type: string } | null>(null);
  useEffect(() => {
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    setFile({ url, type: blob.type });
    return () => {
      URL.revokeObjectURL(url);
      setFile(null);
    };
  }, [blob]);
  return file;
}
