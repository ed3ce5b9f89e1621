import { useEffect, useState } from "react";
import { api, unwrap } from "../api/client";
import type { Stats } from "../api/types";
import { useApp } from "../context";
import { useLive } from "../live/hub";
import { ErrorBanner, Empty } from "./common";

const figures: [keyof Stats, string][] = [
  ["open", "Open"],
  ["pending", "Pending"],
  ["resolved", "Resolved"],
  ["conversations_created", "Conversations"],
  ["messages_received", "Messages received"],
  ["messages_sent", "Messages sent"],
];

export function Dashboard() {
  const { numbers } = useApp();
  const [numberId, setNumberId] = useState<number | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const selected = numberId ?? numbers[0]?.id ?? null;

  useEffect(() => {
    if (selected === null) return;
    let cancelled = false;
    api
      .GET("/api/v1/stats", { params: { query: { business_number_id: selected } } })
      .then((r) => {
        if (cancelled) return;
        setStats(unwrap(r));
        setError(null);
      })
      .catch((e) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
  }, [selected, tick]);

  // Figures follow the live stream (debounced to one fetch per burst).
  const [pending, setPending] = useState(false);
  useLive(() => setPending(true));
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(() => {
      setPending(false);
      setTick((x) => x + 1);
    }, 1000);
    return () => clearTimeout(t);
  }, [pending]);

  if (numbers.length === 0) return <Empty>No business numbers yet.</Empty>;
  return (
    <div className="page">
      <h1>Dashboard</h1>
      <label>
        Business number
        <select value={selected ?? ""} onChange={(e) => setNumberId(Number(e.target.value))}>
          {numbers.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.display_phone_number})
            </option>
          ))}
        </select>
      </label>
      <ErrorBanner error={error} />
      {stats && (
        <dl className="stats" data-testid="stats">
          {figures.map(([k, label]) => (
            <div key={k} className="stat card">
              <dt>{label}</dt>
              <dd data-testid={`stat-${k}`}>{stats[k]}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
