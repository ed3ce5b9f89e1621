import { createContext, useContext } from "react";
import type { About, BusinessNumber, User } from "./api/types";

export type { About };

export interface AppData {
  me: User;
  numbers: BusinessNumber[];
  reloadNumbers(): void;
  about: About | null;
}

export const AppContext = createContext<AppData | null>(null);

export function useApp(): AppData {
  const v = useContext(AppContext);
  if (!v) throw new Error("useApp outside AppContext");
  return v;
}

export const canWork = (u: User) => u.role === "admin" || u.role === "agent";
export const isAdmin = (u: User) => u.role === "admin";
