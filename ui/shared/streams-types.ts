// The JSON shapes of /api/streams (the Stream applications page), used by both sides (types only).

/** One instance of a stream application: a member of its consumer group. */
export interface StreamAppMember {
  memberId: string; clientId: string; clientHost: string;
  /** application.server, when the instance serves interactive queries */
  applicationServer: string | null;
  /** tasks (`<sub-topology>_<partition>`) the group gave this instance, from its assignment */
  tasks: string[];
}

/** A state store and its changelog topic's size (the store's durable copy, as the broker holds it). */
export interface StreamAppStore {
  name: string;
  changelog: string | null;
  /** the changelog's end − start offsets: an upper bound of the keys (compaction drops older values; under exactly_once_v2 transaction markers take offsets too) */
  records: number | null;
  /** bytes of the changelog on the brokers' disks */
  bytes: number | null;
}

export interface StreamApp {
  applicationId: string;
  /** the group's state, as the broker names it (Stable, PreparingRebalance, Empty, …) */
  state: string;
  /** how the application was recognised: "tributary" (our subscription metadata) or "kafka-streams" (a group of the "stream" protocol whose metadata we cannot read) */
  kind: 'tributary' | 'kafka-streams';
  members: StreamAppMember[];
  /** TopologyDescription as describe() prints it; null when the members do not publish it */
  topology: string | null;
  stores: StreamAppStore[];
  /** input lag: committed offsets of the application's group against the topics' ends */
  lag: { topic: string; partition: number; committed: string | null; high: string; lag: number }[];
  totalLag: number;
}
