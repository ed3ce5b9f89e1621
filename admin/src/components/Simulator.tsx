import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useSimulateInbound } from "../api/mutations";
import { aboutQuery, useNumbers } from "../api/queries";
import { BusinessNumberPicker, useChosenNumber } from "./BusinessNumberPicker";
import { ErrorBanner, Empty } from "./common";

/** Mock mode only: play the customer, through the same signed webhook Meta would call. */
export function Simulator() {
  const about = useQuery(aboutQuery()).data;
  const numbers = useNumbers();
  const [selected, select] = useChosenNumber();
  const [from, setFrom] = useState("+16505551234");
  const [name, setName] = useState("Sheena Nelson");
  const [text, setText] = useState("");
  const simulate = useSimulateInbound();

  if (about && !about.simulator) return <Empty>The simulator exists only with the mock WhatsApp provider.</Empty>;
  if (numbers.isPending) return <Empty>Loading…</Empty>;
  if (numbers.error) return <ErrorBanner error={numbers.error} />;
  if (numbers.data.length === 0) return <Empty>Create a business number first (Admin).</Empty>;

  function send(e: React.FormEvent) {
    e.preventDefault();
    if (selected === null) return;
    simulate.mutate(
      { business_number_id: selected, from: from.trim(), name: name.trim() || null, text },
      { onSuccess: () => setText("") },
    );
  }

  return (
    <div className="page">
      <h1>Simulator</h1>
      <p className="muted">Play the customer: the mock provider delivers this message to the business number through the signed webhook.</p>
      <form className="card form" onSubmit={send} data-testid="simulator-form">
        <BusinessNumberPicker label="To business number" value={selected} onChange={select} />
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
        <ErrorBanner error={simulate.error} />
        {simulate.data && (
          <p className="ok" role="status" data-testid="simulator-result">
            Delivered as {simulate.data.wamid}
          </p>
        )}
        <button type="submit" className="primary" disabled={simulate.isPending}>
          Send as customer
        </button>
      </form>
    </div>
  );
}
