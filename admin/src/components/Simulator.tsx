import { useState } from "react";
import { api, unwrap } from "../api/client";
import { useApp } from "../context";
import { ErrorBanner, Empty } from "./common";

/** Mock mode only: play the customer, through the same signed webhook Meta would call. */
export function Simulator() {
  const { numbers, about } = useApp();
  const [numberId, setNumberId] = useState<number | null>(null);
  const [from, setFrom] = useState("+16505551234");
  const [name, setName] = useState("Sheena Nelson");
  const [text, setText] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const selected = numberId ?? numbers[0]?.id ?? null;

  if (about && !about.simulator) return <Empty>The simulator exists only with the mock WhatsApp provider.</Empty>;
  if (numbers.length === 0) return <Empty>Create a business number first (Admin).</Empty>;

  async function send(e: React.FormEvent) {
    e.preventDefault();
    if (selected === null) return;
    setBusy(true);
    setResult(null);
    try {
      const receipt = unwrap(
        await api.POST("/api/v1/simulator/inbound", {
          body: { business_number_id: selected, from: from.trim(), name: name.trim() || null, text },
        }),
      );
      setResult(`Delivered as ${receipt.wamid}`);
      setText("");
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page">
      <h1>Simulator</h1>
      <p className="muted">Play the customer: the mock provider delivers this message to the business number through the signed webhook.</p>
      <form className="card form" onSubmit={send} data-testid="simulator-form">
        <label>
          To business number
          <select value={selected ?? ""} onChange={(e) => setNumberId(Number(e.target.value))}>
            {numbers.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name} ({n.display_phone_number})
              </option>
            ))}
          </select>
        </label>
        <label>
          Customer phone
          <input value={from} onChange={(e) => setFrom(e.target.value)} required />
        </label>
        <label>
          Customer name
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Customer message
          <textarea value={text} onChange={(e) => setText(e.target.value)} required rows={3} />
        </label>
        <ErrorBanner error={error} />
        {result && (
          <p className="ok" role="status" data-testid="simulator-result">
            {result}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Send as customer
        </button>
      </form>
    </div>
  );
}
