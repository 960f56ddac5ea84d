// Built-in single message transforms and predicates, under Kafka's class names.
import { definePlugin } from '../../plugins/sdk/index.ts';

export default definePlugin({
  name: 'transforms',
  version: '1.0.0',
  description: "Kafka Connect's single message transforms and predicates.",
  transforms: {},
  predicates: {},
});
