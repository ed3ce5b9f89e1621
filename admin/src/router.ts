// A few paths, handled with the History API (the backend serves index.html for them).
import { useEffect, useState } from "react";

export type Route =
  | { page: "inbox"; conversationId: number | null }
  | { page: "dashboard" }
  | { page: "admin" }
  | { page: "simulator" };

export function parseRoute(path: string): Route {
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "dashboard") return { page: "dashboard" };
  if (parts[0] === "admin") return { page: "admin" };
  if (parts[0] === "simulator") return { page: "simulator" };
  if (parts[0] === "inbox" && parts[1] && /^\d+$/.test(parts[1])) {
    return { page: "inbox", conversationId: Number(parts[1]) };
  }
  return { page: "inbox", conversationId: null };
}

export function navigate(path: string): void {
  if (window.location.pathname === path) return;
  window.history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener("popstate", on);
    return () => window.removeEventListener("popstate", on);
  }, []);
  return route;
}
