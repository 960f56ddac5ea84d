// Word count against a running platform (`npm start`):
//   node --import tsx streams/examples/word-count.ts [bootstrap]
//   printf 'k1:hello streams\nk2:hello kafka\n' | kcat -b localhost:9092 -t streams-plaintext-input -K: -P
//   kcat -b localhost:9092 -t streams-wordcount-output -C -e -s value=Q -f '%k=%s\n'
import { StreamsBuilder, KafkaStreams, Serdes, Consumed, Grouped, Materialized, Produced } from 'tributary/streams';
import { KafkaAdmin } from '../../client/index.ts';

const bootstrap = process.argv[2] ?? 'localhost:9092';
const admin = new KafkaAdmin({ bootstrap, clientId: 'word-count-setup' });
await admin.createTopics([{ topic: 'streams-plaintext-input', partitions: 3, replicationFactor: 1 }, { topic: 'streams-wordcount-output', partitions: 3, replicationFactor: 1 }]);
await admin.close();

const builder = new StreamsBuilder();
builder.stream<string, string>('streams-plaintext-input', Consumed.with(Serdes.String(), Serdes.String()))
  .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
  .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
  .count(Materialized.as('counts-store'))
  .toStream()
  .to('streams-wordcount-output', Produced.with(Serdes.String(), Serdes.Long()));

const topology = builder.build();
console.log(topology.describe().toString());
const streams = new KafkaStreams(topology, {
  'application.id': 'streams-wordcount',
  'bootstrap.servers': bootstrap,
  'processing.guarantee': 'exactly_once_v2',
  'state.dir': './data/streams',
});
streams.setStateListener((now, before) => console.log(`state ${before} -> ${now}`));
process.on('SIGINT', () => { void streams.close().then(() => process.exit(0)); });
await streams.start();
setInterval(() => {
  const store = streams.store('counts-store');
  console.log(`${store.approximateNumEntries()} words; "hello" = ${store.get('hello') ?? 0}`);
}, 5000);
