import { useEffect, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { queryKeys, statsQuery, useNumbers } from "../api/queries";
import type { Stats } from "../api/types";
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
  const numbers = useNumbers();
  const [numberId, setNumberId] = useState<number | null>(null);
  const selected = numberId ?? numbers.data?.[0]?.id ?? null;
  const stats = useQuery({ ...statsQuery(selected ?? 0), enabled: selected !== null });
  const queryClient = useQueryClient();

  // Figures follow the live stream: a second after the first event of a burst, they are refetched.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLive(() => {
    if (pending.current !== null) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void queryClient.invalidateQueries({ queryKey: queryKeys.allStats() });
    }, 1000);
  });
  useEffect(
    () => () => {
      if (pending.current !== null) clearTimeout(pending.current);
      pending.current = null;
    },
    [],
  );

  if (numbers.isPending) return <Empty>Loading…</Empty>;
  if (numbers.error) return <ErrorBanner error={numbers.error} />;
  if (numbers.data.length === 0) return <Empty>No business numbers yet.</Empty>;
  return (
    <div className="page">
      <h1>Dashboard</h1>
      <label>
        Business number
        <select value={selected ?? ""} onChange={(e) => setNumberId(Number(e.target.value))}>
          {numbers.data.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.display_phone_number})
            </option>
          ))}
        </select>
      </label>
      <ErrorBanner error={stats.error} />
      {stats.data && (
        <dl className="stats" data-testid="stats">
          {figures.map(([k, label]) => (
            <div key={k} className="stat card">
              <dt>{label}</dt>
              <dd data-testid={`stat-${k}`}>{stats.data[k]}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
