import { useEffect, useRef } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { queryKeys, statsQuery, useNumbers } from "../api/queries";
import type { Stats } from "../api/types";
import { useLive } from "../live/hub";
import { BusinessNumberPicker, useChosenNumber } from "./BusinessNumberPicker";
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
  const [selected, select] = useChosenNumber();
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
      <BusinessNumberPicker label="Business number" value={selected} onChange={select} />
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
