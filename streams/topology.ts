// Topology: the Processor API builder (addSource/addProcessor/addSink/addStateStore)
// that the DSL also writes into, its split into sub-topologies, and describe() in
// Kafka Streams' own text format.
import type { Deserializer, Serializer } from './serdes.ts';
import type { ProcessorSupplier, StreamPartitioner, TopicNameExtractor } from './processor.ts';
import type { StoreBuilder } from './state/stores.ts';

export type TimestampExtractor = (record: { topic: string; partition: number; offset: number; key: unknown; value: unknown; timestamp: number }, partitionTime: number) => number;

export interface SourceNode { kind: 'source'; name: string; topics: string[]; pattern?: RegExp; keyDeserializer?: Deserializer<any>; valueDeserializer?: Deserializer<any>; timestampExtractor?: TimestampExtractor; children: string[]; parents: string[] }
export interface ProcessorNode { kind: 'processor'; name: string; supplier: ProcessorSupplier<any, any, any, any>; children: string[]; parents: string[]; stores: Set<string> }
export interface SinkNode { kind: 'sink'; name: string; topic: string | TopicNameExtractor<any, any>; keySerializer?: Serializer<any>; valueSerializer?: Serializer<any>; partitioner?: StreamPartitioner<any, any>; children: string[]; parents: string[] }
export type Node = SourceNode | ProcessorNode | SinkNode;

export interface SubTopology { id: number; nodes: string[]; sourceTopics: string[]; sourcePatterns: RegExp[]; stores: string[]; repartitionSinks: string[] }
export interface GlobalStoreDef { storeName: string; sourceName: string; processorName: string; topic: string }

export class TopologyException extends Error {
  constructor(message: string) { super(`Invalid topology: ${message}`); this.name = 'TopologyException'; }
}

export class Topology {
  readonly nodes = new Map<string, Node>();
  readonly stores = new Map<string, { builder: StoreBuilder<any>; processors: Set<string> }>();
  readonly globalStores = new Map<string, GlobalStoreDef>();
  /** internal topics by unprefixed name; the runtime prefixes `<application.id>-` */
  readonly internalTopics = new Map<string, { type: 'repartition'; partitions?: number }>();
  /** groups of topics that must be co-partitioned (joins) */
  readonly copartitionGroups: string[][] = [];

  private add(node: Node): void {
    if (!node.name) throw new TopologyException('a node needs a name');
    if (this.nodes.has(node.name)) throw new TopologyException(`Processor ${node.name} is already added.`);
    for (const p of node.parents) {
      const parent = this.nodes.get(p);
      if (!parent) throw new TopologyException(`Parent processor ${p} is not added yet for ${node.name}.`);
      if (parent.kind === 'sink') throw new TopologyException(`Sink ${p} cannot be used as a parent.`);
      parent.children.push(node.name);
    }
    this.nodes.set(node.name, node);
  }

  addSource(name: string, ...topics: string[]): this;
  addSource(options: { name: string; topics?: string[]; pattern?: RegExp; keyDeserializer?: Deserializer<any>; valueDeserializer?: Deserializer<any>; timestampExtractor?: TimestampExtractor }): this;
  addSource(a: any, ...topics: string[]): this {
    const o = typeof a === 'string' ? { name: a, topics } : a;
    const ts: string[] = o.topics ?? [];
    if (!ts.length && !o.pattern) throw new TopologyException(`source ${o.name} needs at least one topic or a pattern`);
    for (const t of ts) for (const n of this.nodes.values()) if (n.kind === 'source' && n.topics.includes(t)) throw new TopologyException(`Topic ${t} has already been registered by another source.`);
    this.add({ kind: 'source', name: o.name, topics: ts, pattern: o.pattern, keyDeserializer: o.keyDeserializer, valueDeserializer: o.valueDeserializer, timestampExtractor: o.timestampExtractor, children: [], parents: [] });
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(name: string, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, ...parentNames: string[]): this {
    if (!parentNames.length) throw new TopologyException(`Processor ${name} must have at least one parent`);
    this.add({ kind: 'processor', name, supplier: supplier as ProcessorSupplier<any, any, any, any>, children: [], parents: parentNames, stores: new Set() });
    const s = supplier as { stores?(): StoreBuilder<any>[] };
    if (typeof s === 'object' && s.stores) for (const b of s.stores()) this.addStateStore(b, name);
    return this;
  }

  addSink<K, V>(name: string, topic: string | TopicNameExtractor<K, V>, ...parentNames: string[]): this;
  addSink<K, V>(options: { name: string; topic: string | TopicNameExtractor<K, V>; keySerializer?: Serializer<K>; valueSerializer?: Serializer<V>; partitioner?: StreamPartitioner<K, V> }, ...parentNames: string[]): this;
  addSink(a: any, ...rest: any[]): this {
    const o = typeof a === 'string' ? { name: a, topic: rest.shift() } : a;
    if (!rest.length) throw new TopologyException(`Sink ${o.name} must have at least one parent`);
    if (!o.topic) throw new TopologyException(`Sink ${o.name} needs a topic or a topic name extractor`);
    this.add({ kind: 'sink', name: o.name, topic: o.topic, keySerializer: o.keySerializer, valueSerializer: o.valueSerializer, partitioner: o.partitioner, children: [], parents: rest });
    return this;
  }

  addStateStore(builder: StoreBuilder<any>, ...processorNames: string[]): this {
    const existing = this.stores.get(builder.name());
    if (existing && existing.builder !== builder) throw new TopologyException(`A different StateStore has already been added with the name ${builder.name()}`);
    const entry = existing ?? { builder, processors: new Set<string>() };
    this.stores.set(builder.name(), entry);
    for (const p of processorNames) this.connectProcessorAndStateStores(p, builder.name());
    return this;
  }

  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    if (!storeNames.length) return this;
    const n = this.nodes.get(processorName);
    if (!n || n.kind !== 'processor') throw new TopologyException(`Processor ${processorName} is not added yet.`);
    for (const s of storeNames) {
      const st = this.stores.get(s);
      if (!st) throw new TopologyException(`StateStore ${s} is not added yet.`);
      st.processors.add(processorName);
      n.stores.add(s);
    }
    return this;
  }

  /** A store filled from every partition of a topic on every instance (Kafka's global store). */
  addGlobalStore<K, V>(builder: StoreBuilder<any>, sourceName: string, keyDeserializer: Deserializer<K> | undefined, valueDeserializer: Deserializer<V> | undefined, topic: string, processorName: string, stateUpdateSupplier: ProcessorSupplier<K, V, void, void>): this {
    builder.withLoggingDisabled();
    this.addSource({ name: sourceName, topics: [topic], keyDeserializer, valueDeserializer });
    this.addProcessor(processorName, stateUpdateSupplier, sourceName);
    this.stores.set(builder.name(), { builder, processors: new Set([processorName]) });
    (this.nodes.get(processorName) as ProcessorNode).stores.add(builder.name());
    this.globalStores.set(builder.name(), { storeName: builder.name(), sourceName, processorName, topic });
    return this;
  }

  isGlobalNode(name: string): boolean {
    for (const g of this.globalStores.values()) if (g.sourceName === name || g.processorName === name) return true;
    return false;
  }

  /** Connected components of non-global nodes (edges: parent/child, shared stores), numbered in node order. */
  subTopologies(): SubTopology[] {
    const names = [...this.nodes.keys()].filter((n) => !this.isGlobalNode(n));
    const parent = new Map<string, string>(names.map((n) => [n, n]));
    const find = (x: string): string => { while (parent.get(x) !== x) { parent.set(x, parent.get(parent.get(x)!)!); x = parent.get(x)!; } return x; };
    const union = (a: string, b: string) => { const ra = find(a), rb = find(b); if (ra !== rb) parent.set(rb, ra); };
    for (const n of names) for (const c of this.nodes.get(n)!.children) union(n, c);
    for (const [name, st] of this.stores) { if (this.globalStores.has(name)) continue; const ps = [...st.processors]; for (const p of ps.slice(1)) union(ps[0], p); }
    const groups = new Map<string, string[]>();
    for (const n of names) { const r = find(n); if (!groups.has(r)) groups.set(r, []); groups.get(r)!.push(n); }
    return [...groups.values()].map((nodes, id) => {
      const sources = nodes.map((n) => this.nodes.get(n)!).filter((n): n is SourceNode => n.kind === 'source');
      const stores = new Set<string>();
      for (const n of nodes) { const node = this.nodes.get(n)!; if (node.kind === 'processor') for (const s of node.stores) if (!this.globalStores.has(s)) stores.add(s); }
      const repartitionSinks = nodes.filter((n) => { const node = this.nodes.get(n)!; return node.kind === 'sink' && typeof node.topic === 'string' && this.internalTopics.has(node.topic); });
      return { id, nodes, sourceTopics: sources.flatMap((s) => s.topics), sourcePatterns: sources.flatMap((s) => (s.pattern ? [s.pattern] : [])), stores: [...stores], repartitionSinks };
    });
  }

  describe(): TopologyDescription { return new TopologyDescription(this); }
}

export class TopologyDescription {
  constructor(private readonly t: Topology) {}
  subtopologies(): SubTopology[] { return this.t.subTopologies(); }
  toString(): string {
    const t = this.t;
    const lines = ['Topologies:'];
    const nodeLines = (names: string[]) => {
      for (const name of names) {
        const n = t.nodes.get(name)!;
        const arrowsDown = `      --> ${n.children.length ? n.children.join(', ') : 'none'}`;
        const arrowsUp = `      <-- ${n.parents.length ? n.parents.join(', ') : 'none'}`;
        if (n.kind === 'source') {
          lines.push(`    Source: ${name} (topics: ${n.pattern ? `[${n.pattern.source}]` : `[${n.topics.join(', ')}]`})`, arrowsDown);
        } else if (n.kind === 'processor') {
          lines.push(`    Processor: ${name} (stores: [${[...n.stores].join(', ')}])`, arrowsDown, arrowsUp);
        } else {
          lines.push(`    Sink: ${name} (${typeof n.topic === 'string' ? `topic: ${n.topic}` : 'extractor class: ' + (n.topic.name || 'TopicNameExtractor')})`, arrowsUp);
        }
      }
    };
    const subs = t.subTopologies();
    subs.forEach((s, i) => {
      lines.push(`${i === 0 ? '   ' : '  '}Sub-topology: ${s.id}`); // Kafka's own quirk: the first is indented one more
      nodeLines(s.nodes);
      if (i < subs.length - 1 || t.globalStores.size) lines.push('');
    });
    let gid = subs.length;
    for (const g of t.globalStores.values()) {
      lines.push(`  Sub-topology: ${gid++} for global store (will not generate tasks)`);
      nodeLines([g.sourceName, g.processorName]);
    }
    return lines.join('\n') + '\n';
  }
}
