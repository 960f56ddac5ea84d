// Built-in single message transforms and predicates, under Kafka's class names
// (`org.apache.kafka.connect.transforms.InsertField$Value`, …); the loader also
// accepts simple names (`InsertField$Value`). Other transforms plug in through any
// plugin manifest (e.g. Debezium's ExtractNewRecordState in connectors/postgres).
import { definePlugin, type TransformationClass, type PredicateClass } from '../../../plugins/sdk/index.ts';
import * as F from './fields.ts';
import * as T from './time.ts';
import * as R from './routing.ts';
import * as H from './headers.ts';

const P = 'org.apache.kafka.connect.transforms.';

const keyValue: [string, TransformationClass, TransformationClass][] = [
  ['InsertField', F.InsertFieldKey, F.InsertFieldValue],
  ['ReplaceField', F.ReplaceFieldKey, F.ReplaceFieldValue],
  ['MaskField', F.MaskFieldKey, F.MaskFieldValue],
  ['ExtractField', F.ExtractFieldKey, F.ExtractFieldValue],
  ['HoistField', F.HoistFieldKey, F.HoistFieldValue],
  ['Flatten', F.FlattenKey, F.FlattenValue],
  ['Cast', F.CastKey, F.CastValue],
  ['SetSchemaMetadata', F.SetSchemaMetadataKey, F.SetSchemaMetadataValue],
  ['TimestampConverter', T.TimestampConverterKey, T.TimestampConverterValue],
  ['HeaderFrom', H.HeaderFromKey, H.HeaderFromValue],
];

const transforms: Record<string, TransformationClass> = {
  [`${P}ValueToKey`]: F.ValueToKey,
  [`${P}RegexRouter`]: R.RegexRouter,
  [`${P}TimestampRouter`]: T.TimestampRouter,
  [`${P}Filter`]: R.Filter,
  [`${P}DropHeaders`]: H.DropHeaders,
  [`${P}InsertHeader`]: H.InsertHeader,
};
for (const [n, k, v] of keyValue) { transforms[`${P}${n}$Key`] = k; transforms[`${P}${n}$Value`] = v; }

const predicates: Record<string, PredicateClass> = {
  [`${P}predicates.TopicNameMatches`]: R.TopicNameMatches,
  [`${P}predicates.HasHeaderKey`]: R.HasHeaderKey,
  [`${P}predicates.RecordIsTombstone`]: R.RecordIsTombstone,
};

export default definePlugin({
  name: 'transforms',
  version: '1.0.0',
  description: "Kafka Connect's single message transforms and predicates.",
  transforms,
  predicates,
});
