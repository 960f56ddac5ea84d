// Kafka's default partitioner hash: one implementation, in the internal client.
export { murmur2, partitionFor } from '../../client/murmur2.ts';
