// What the logged-in user may do, for hiding what the server would refuse anyway
// (ui/server/auth.ts is the check; this mirrors its roles).
import { useMe } from '../api/queries.ts';

export type Action = 'read' | 'operate' | 'admin';
const RANK = { viewer: 0, operator: 1, admin: 2 } as const;
const NEEDS: Record<Action, number> = { read: 0, operate: 1, admin: 2 };

/** can('admin') — creating, changing and deleting; can('operate') — pause/resume/restart, offset resets. */
export function useCan(): (a: Action) => boolean {
  const me = useMe();
  return (a) => !!me.data && RANK[me.data.role] >= NEEDS[a];
}
