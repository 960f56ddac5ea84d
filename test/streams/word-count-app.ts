// The word-count application the runtime tests run, in-process or as a child
// process: `node --import tsx test/streams/word-count-app.ts BOOTSTRAP APP_ID GUARANTEE STATE_DIR`.
import { StreamsBuilder, KafkaStreams, Serdes, Produced, Materialized, Grouped, Consumed, type StreamsConfigInput } from 'tributary/streams';

export function wordCountTopology(input: string, output: string) {
  const builder = new StreamsBuilder();
  builder.stream<string, string>(input, Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_k, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as('counts'))
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}

export function wordCountApp(bootstrap: string, appId: string, guarantee: 'at_least_once' | 'exactly_once_v2', stateDir: string, extra: StreamsConfigInput = {}): KafkaStreams {
  return new KafkaStreams(wordCountTopology('wc-in', 'wc-out'), {
    'application.id': appId, 'bootstrap.servers': bootstrap, 'processing.guarantee': guarantee, 'state.dir': stateDir,
    'commit.interval.ms': 200, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, 'transaction.timeout.ms': 5000,
    // no record cache: every update reaches wc-out, so the tests can check each word's counts are exactly 1..n
    'statestore.cache.max.bytes': 0, ...extra,
  });
}

if (process.argv[1]?.endsWith('word-count-app.ts')) {
  const [bootstrap, appId, guarantee, stateDir, commitMs] = process.argv.slice(2);
  // STREAMS_EXTRA: more configs as JSON (e.g. {"num.standby.replicas":1})
  const extra = process.env.STREAMS_EXTRA ? JSON.parse(process.env.STREAMS_EXTRA) : {};
  const app = wordCountApp(bootstrap, appId, guarantee as 'exactly_once_v2', stateDir, { ...(commitMs ? { 'commit.interval.ms': Number(commitMs) } : {}), ...extra });
  app.setStateListener((s) => console.log(`state ${s}`));
  app.setGlobalStateRestoreListener({ onRestoreEnd: (tp, _store, n) => console.log(`restored ${n} of ${tp.topic}-${tp.partition}`) });
  await app.start();
  console.log(`started tasks ${app.activeTasks().join(',')}`);
  process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
  setInterval(() => console.log(`tasks ${app.activeTasks().join(',')} processed ${app.processed} standby ${app.standbyTasks().join(',')}`), 250);
}
