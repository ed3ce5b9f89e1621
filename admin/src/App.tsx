import { useEffect, useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { logout, restoreSession, session } from "./api/client";
import { aboutQuery } from "./api/queries";
import type { User } from "./api/types";
import { LiveStream, type LiveStatus } from "./live/events";
import { LiveContext, LiveHub, toLiveEvent } from "./live/hub";
import { AppContext, isAdmin } from "./context";
import { navigate, useRoute } from "./router";
import { Login } from "./components/Login";
import { Inbox } from "./components/Inbox";
import { Dashboard } from "./components/Dashboard";
import { AdminPage } from "./components/Admin";
import { Simulator } from "./components/Simulator";

export function App() {
  const [user, setUser] = useState<User | null>(session.user);
  const [restoring, setRestoring] = useState(true);
  const queryClient = useQueryClient();

  // Cached data belongs to the user who fetched it: forgotten on sign-out; a new role refetches.
  useEffect(
    () =>
      session.subscribe((u) => {
        if (u === null) queryClient.clear();
        else void queryClient.invalidateQueries();
        setUser(u);
      }),
    [queryClient],
  );
  useEffect(() => {
    void restoreSession().finally(() => setRestoring(false));
  }, []);

  if (restoring) return <div className="splash">Loading…</div>;
  if (!user) return <Login />;
  return <Shell me={user} />;
}

const liveLabels: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  stopped: "Offline",
};

function Shell({ me }: { me: User }) {
  const route = useRoute();
  const about = useQuery(aboutQuery()).data;
  const [liveStatus, setLiveStatus] = useState<LiveStatus>("connecting");
  const hub = useMemo(() => new LiveHub(), []);

  useEffect(() => {
    const stream = new LiveStream({
      url: "/api/v1/events",
      getToken: () => session.token(),
      refresh: () => session.refresh(),
      onEvent: (e) => {
        const event = toLiveEvent(e);
        if (event) hub.emit(event);
      },
      onConnected: (resumed) => {
        if (resumed) hub.emit({ type: "resync" });
      },
      onStatus: setLiveStatus,
    });
    void stream.start();
    return () => stream.stop();
  }, [hub]);

  const data = useMemo(() => ({ me }), [me]);
  const showSimulator = about?.simulator === true;

  const link = (path: string, label: string, active: boolean) => (
    <a
      href={path}
      className={active ? "active" : undefined}
      aria-current={active ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );

  return (
    <AppContext.Provider value={data}>
      <LiveContext.Provider value={{ hub, status: liveStatus }}>
        <div className="app">
          <header className="topbar">
            <span className="brand">Switchboard</span>
            <nav aria-label="Main">
              {link("/inbox", "Inbox", route.page === "inbox")}
              {link("/dashboard", "Dashboard", route.page === "dashboard")}
              {isAdmin(me) && link("/admin", "Admin", route.page === "admin")}
              {showSimulator && link("/simulator", "Simulator", route.page === "simulator")}
            </nav>
            <span className={`live live-${liveStatus}`} data-testid="live-status" title="Live updates">
              {liveLabels[liveStatus]}
            </span>
            <span className="me" data-testid="current-user">
              {me.display_name} <span className="role">{me.role}</span>
            </span>
            <button type="button" className="link" onClick={() => void logout()}>
              Log out
            </button>
          </header>
          <main className="content">
            {route.page === "inbox" && <Inbox selectedId={route.conversationId} />}
            {route.page === "dashboard" && <Dashboard />}
            {route.page === "admin" && (isAdmin(me) ? <AdminPage /> : <p className="empty">Admins only.</p>)}
            {route.page === "simulator" && <Simulator />}
          </main>
        </div>
      </LiveContext.Provider>
    </AppContext.Provider>
  );
}
