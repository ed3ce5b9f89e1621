import { createContext, useContext } from "react";
import type { User } from "./api/types";

/** The signed-in user. Server data is not here: it is in the query cache (see api/queries.ts). */
export interface AppData {
  me: User;
}

export const AppContext = createContext<AppData | null>(null);

export function useApp(): AppData {
  const v = useContext(AppContext);
  if (!v) throw new Error("useApp outside AppContext");
  return v;
}

export const canWork = (u: User) => u.role === "admin" || u.role === "agent";
export const isAdmin = (u: User) => u.role === "admin";
