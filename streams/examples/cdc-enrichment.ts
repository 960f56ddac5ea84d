// CDC enrichment: the orders and customers tables captured from Postgres by
// the Debezium-style CDC connector (topics `shop.public.orders`, `shop.public.customers`,
// JSON keys {"payload":{"id":…}} and envelopes {"payload":{"after":{…}}}), re-keyed by
// id, joined by the foreign key orders.customer_id, written to `orders-enriched`
// (JSON), which a sink connector can land in a table. test/streams-examples runs it
// against the CDC connector on a real Postgres.
//   node --import tsx streams/examples/cdc-enrichment.ts [bootstrap]
import { StreamsBuilder, KafkaStreams, Serdes, Consumed, Produced } from 'tributary/streams';

interface Order { id: number; customer_id: number; amount: number }
interface Customer { id: number; name: string; country: string }
type Key = { payload?: { id?: number } } | null;
type Envelope<T> = { payload?: { after?: T | null } } | null;
const J = <T>() => Serdes.JSON<T>();

const bootstrap = process.argv[2] ?? 'localhost:9092';
const builder = new StreamsBuilder();
// a change event's key carries the primary key; a delete's value is null (a tombstone for the table)
const table = <T>(topic: string) => builder.stream(topic, Consumed.with(J<Key>(), J<Envelope<T>>()))
  .filter((k) => k?.payload?.id !== undefined)
  .map((k, v) => ({ key: String(k!.payload!.id), value: (v?.payload?.after ?? null) as T | null }))
  .toTable();
const orders = table<Order>('shop.public.orders');
const customers = table<Customer>('shop.public.customers');
orders
  .join(customers, (o) => String(o!.customer_id), (o, c) => ({ order_id: o!.id, amount: o!.amount, customer: c!.name, country: c!.country }))
  .toStream()
  .to('orders-enriched', Produced.with(Serdes.String(), Serdes.JSON()));

const streams = new KafkaStreams(builder.build(), { 'application.id': 'cdc-enrichment', 'bootstrap.servers': bootstrap, 'processing.guarantee': 'exactly_once_v2', 'state.dir': './data/streams', 'default.key.serde': Serdes.String(), 'default.value.serde': Serdes.JSON() });
process.on('SIGINT', () => { void streams.close().then(() => process.exit(0)); });
await streams.start();
console.log('enriching orders; Ctrl-C stops');
