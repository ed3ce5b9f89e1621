import { useRef, useState } from "react";
import { useSendMessage } from "../api/mutations";
import type { TemplateBody } from "../api/types";
import { newIdempotencyKey } from "../lib/uuid";
import { ErrorBanner } from "./common";

/**
 * Outside the 24-hour window only approved templates may be sent. There is no template
 * catalogue in the API, so this offers Meta's default `hello_world` and a free form.
 */
export function TemplatePicker({ conversationId }: { conversationId: number }) {
  const [choice, setChoice] = useState<"hello_world" | "custom">("hello_world");
  const [name, setName] = useState("");
  const [language, setLanguage] = useState("en_US");
  const [params, setParams] = useState<string[]>([]);
  const sending = useSendMessage(conversationId);
  const key = useRef(newIdempotencyKey());
  const changed = () => (key.current = newIdempotencyKey());

  function template(): TemplateBody {
    if (choice === "hello_world") return { name: "hello_world", language: { code: "en_US" } };
    const filled = params.map((p) => p.trim());
    return {
      name: name.trim(),
      language: { code: language.trim() },
      components: filled.length ? [{ type: "body", parameters: filled.map((text) => ({ type: "text", text })) }] : undefined,
    };
  }

  function send(e: React.FormEvent) {
    e.preventDefault();
    sending.mutate(
      { key: key.current, message: { json: { type: "template", template: template() } } },
      { onSuccess: () => (key.current = newIdempotencyKey()) },
    );
  }

  return (
    <form className="composer template-picker" onSubmit={send} data-testid="template-picker" aria-label="Send a template">
      <p className="muted">The 24-hour window is closed: only an approved template can be sent.</p>
      <ErrorBanner error={sending.error} testId="send-error" />
      <div className="composer-row wrap">
        <label>
          Template
          <select
            aria-label="Template"
            value={choice}
            onChange={(e) => {
              setChoice(e.target.value as "hello_world" | "custom");
              changed();
            }}
          >
            <option value="hello_world">hello_world (en_US)</option>
            <option value="custom">Another template…</option>
          </select>
        </label>
        {choice === "custom" && (
          <>
            <label>
              Template name
              <input value={name} required onChange={(e) => (setName(e.target.value), changed())} placeholder="order_update" />
            </label>
            <label>
              Language
              <input value={language} required onChange={(e) => (setLanguage(e.target.value), changed())} size={6} />
            </label>
          </>
        )}
        <button type="submit" className="primary" disabled={sending.isPending}>
          Send template
        </button>
      </div>
      {choice === "custom" && (
        <fieldset className="params">
          <legend>Body parameters</legend>
          {params.map((p, i) => (
            <div key={i} className="param-row">
              <label>
                {`{{${i + 1}}}`}
                <input value={p} onChange={(e) => (setParams(params.map((x, j) => (j === i ? e.target.value : x))), changed())} />
              </label>
              <button type="button" className="link" onClick={() => (setParams(params.filter((_, j) => j !== i)), changed())}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" onClick={() => (setParams([...params, ""]), changed())}>
            Add parameter
          </button>
        </fieldset>
      )}
    </form>
  );
}
