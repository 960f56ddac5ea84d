// Page views per user per minute, one final count per window (suppression):
//   node --import tsx streams/examples/page-views.ts [bootstrap]
//   printf 'alice:/home\nbob:/cart\nalice:/cart\n' | kcat -b localhost:9092 -t page-views -K: -P
//   kcat -b localhost:9092 -t page-views-per-minute -C -s value=Q -f '%k %s\n'
// A window's count appears once stream time passes its end plus the 10 s grace.
import { StreamsBuilder, KafkaStreams, Serdes, Consumed, Produced, TimeWindows, Duration, Suppressed, BufferConfig, Materialized, type Windowed } from 'tributary/streams';
import { KafkaAdmin } from '../../client/index.ts';

const bootstrap = process.argv[2] ?? 'localhost:9092';
const admin = new KafkaAdmin({ bootstrap, clientId: 'page-views-setup' });
await admin.createTopics([{ topic: 'page-views', partitions: 3, replicationFactor: 1 }, { topic: 'page-views-per-minute', partitions: 3, replicationFactor: 1 }]);
await admin.close();

const builder = new StreamsBuilder();
builder.stream<string, string>('page-views', Consumed.with(Serdes.String(), Serdes.String()))
  .groupByKey()
  .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(10)))
  .count(Materialized.as('views-per-minute'))
  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
  .toStream((key: Windowed<string>) => `${key.key()}@${new Date(key.window().start()).toISOString()}`)
  .to('page-views-per-minute', Produced.with(Serdes.String(), Serdes.Long()));

const streams = new KafkaStreams(builder.build(), { 'application.id': 'page-views-per-minute', 'bootstrap.servers': bootstrap, 'state.dir': './data/streams' });
process.on('SIGINT', () => { void streams.close().then(() => process.exit(0)); });
await streams.start();
console.log('running; Ctrl-C stops');
