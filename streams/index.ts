// tributary/streams: Kafka Streams' concepts and names for TypeScript.
export { Serdes, SerializationException, SerdeNotReadyException, type Serde, type Serializer, type Deserializer } from './serdes.ts';
export { RegistrySerdes, type RegistrySerdeConfig } from './registry-serdes.ts';
export { Duration, type DurationLike } from './duration.ts';
export { KeyValue } from './key-value.ts';
export { Window, Windowed, TimeWindows, SlidingWindows, SessionWindows, JoinWindows, Suppressed, BufferConfig, WindowedSerdes } from './windows.ts';
export { Record, Headers, PunctuationType, TaskId, type Processor, type ProcessorContext, type ProcessorSupplier, type Punctuator, type Cancellable, type TopicNameExtractor, type StreamPartitioner, type RecordContext } from './processor.ts';
export { Topology, TopologyDescription, TopologyException, type TimestampExtractor } from './topology.ts';
export { Stores, StoreBuilder, KeyValueStore, WindowStore, SessionStore, type StateStore, type ReadOnlyKeyValueStore, type ReadOnlyWindowStore, type ReadOnlySessionStore } from './state/stores.ts';
export { Consumed, Produced, Grouped, Materialized, Joined, StreamJoined, Named, Repartitioned, Branched, StoreType } from './dsl/options.ts';
export { StreamsBuilder, type GlobalKTable } from './dsl/streams-builder.ts';
export { KStream, BranchedKStream } from './dsl/kstream.ts';
export { KTable, KGroupedTable, KGroupedStream, TimeWindowedKStream, SessionWindowedKStream, CogroupedKStream } from './dsl/kstream.ts';
export { StreamsException, LogAndContinueExceptionHandler, LogAndFailExceptionHandler } from './runtime/task.ts';
export { TopologyTestDriver, TestInputTopic, TestOutputTopic, TestRecord } from './test-utils/topology-test-driver.ts';
export { KafkaStreams, ReadOnlyStoreView, InvalidStateStoreException, StreamThreadExceptionResponse, type State, type StateRestoreListener } from './runtime/kafka-streams.ts';
export { StreamsConfig_ as StreamsConfig, type StreamsConfigInput } from './config.ts';
export { startQueryServer, type QueryServer } from './runtime/query-server.ts';
