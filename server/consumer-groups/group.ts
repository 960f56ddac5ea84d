// One consumer group in the classic rebalance protocol: members, generation,
// state machine (Empty → PreparingRebalance → CompletingRebalance → Stable).

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
  skipAssignment?: boolean;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  lastHeartbeat: number;
  /** fires sessionTimeoutMs after the last heartbeat (see GroupCoordinator.keepAlive) */
  sessionTimer?: NodeJS.Timeout;
  /** set while the member waits for the join phase to complete */
  awaitingJoin?: (r: JoinResult) => void;
  /** set while the member waits for the leader's assignment */
  awaitingSync?: (r: { errorCode: number; assignment: Buffer }) => void;
  isNew: boolean;
}

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number | null;
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  members = new Map<string, Member>();
  /** member ids handed out with MEMBER_ID_REQUIRED, not yet joined */
  pendingMembers = new Map<string, NodeJS.Timeout>(); // memberId → its expiry timer
  staticMembers = new Map<string, string>(); // groupInstanceId → memberId
  offsets = new Map<string, CommittedOffset>(); // "topic\0partition"
  /** transactional offsets waiting for their transaction's outcome, by producer id */
  pendingTxnOffsets = new Map<string, Map<string, CommittedOffset>>();
  stateTimestamp = Date.now();
  rebalanceTimer?: NodeJS.Timeout;
  rebalanceDeadline = 0;
  initialDelayUntil = 0;

  constructor(readonly groupId: string) {}

  transition(s: GroupState): void {
    this.state = s;
    this.stateTimestamp = Date.now();
  }

  /** The protocol every member supports, picked by the members' preference votes. */
  selectProtocol(): string | null {
    const all = [...this.members.values()];
    if (!all.length) return null;
    let candidates = new Set(all[0].protocols.map((p) => p.name));
    for (const m of all.slice(1)) candidates = new Set(m.protocols.map((p) => p.name).filter((n) => candidates.has(n)));
    if (!candidates.size) return null;
    const votes = new Map<string, number>();
    for (const m of all) {
      const pick = m.protocols.find((p) => candidates.has(p.name))!.name;
      votes.set(pick, (votes.get(pick) ?? 0) + 1);
    }
    let best: string | null = null; let n = -1;
    for (const p of all[0].protocols.map((x) => x.name)) if (candidates.has(p) && (votes.get(p) ?? 0) > n) { best = p; n = votes.get(p) ?? 0; }
    return best;
  }

  /** Would a member with these protocols share at least one with everyone else? */
  supports(protocolType: string, protocols: { name: string }[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== null && protocolType !== this.protocolType) return false;
    const names = new Set(protocols.map((p) => p.name));
    for (const m of this.members.values()) if (!m.protocols.some((p) => names.has(p.name))) return false;
    return true;
  }

  allJoined(): boolean {
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return true;
  }

  maxRebalanceTimeout(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  /** Topics the members subscribe to (consumer protocol metadata v0+: version, topics). */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer') return null;
    const out = new Set<string>();
    for (const m of this.members.values()) {
      const meta = m.protocols.find((p) => p.name === this.protocolName)?.metadata;
      if (!meta || meta.length < 6) continue;
      try {
        let pos = 2;
        const n = meta.readInt32BE(pos); pos += 4;
        for (let i = 0; i < n; i++) { const l = meta.readInt16BE(pos); pos += 2; out.add(meta.subarray(pos, pos + l).toString('utf8')); pos += l; }
      } catch { /* not consumer protocol metadata */ }
    }
    return out;
  }
}
