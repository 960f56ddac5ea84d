// User preferences kept in the browser: the time zone timestamps are shown in.
import { createContext, useContext, useState, type ReactNode } from 'react';

const KEY = 'tributary.timeZone';
export const LOCAL_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;

interface Settings { timeZone: string; setTimeZone(tz: string): void }
const Ctx = createContext<Settings>({ timeZone: LOCAL_TZ, setTimeZone: () => {} });

export function SettingsProvider({ children }: { children: ReactNode }) {
  const [timeZone, set] = useState(() => localStorage.getItem(KEY) || LOCAL_TZ);
  const setTimeZone = (tz: string) => { localStorage.setItem(KEY, tz); set(tz); };
  return <Ctx.Provider value={{ timeZone, setTimeZone }}>{children}</Ctx.Provider>;
}

export const useSettings = () => useContext(Ctx);

export function timeZones(): string[] {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([LOCAL_TZ, 'UTC', ...all])];
}
