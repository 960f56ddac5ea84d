// MirrorMaker 2 on Tributary's Connect runtime: Kafka's three MM2 connectors by their
// class names. Run them with ByteArrayConverter (keys and values are copied as bytes);
// `tributary mirror --config mm2.properties` does that for every enabled flow.
import { definePlugin } from '../../../plugins/sdk/index.ts';
import { MirrorSourceConnector, VERSION } from './source.ts';
import { MirrorCheckpointConnector } from './checkpoint.ts';
import { MirrorHeartbeatConnector } from './heartbeat.ts';

export default definePlugin({
  name: 'mirror',
  version: VERSION,
  description: 'MirrorMaker 2: cross-cluster replication with offset translation',
  connectors: {
    'org.apache.kafka.connect.mirror.MirrorSourceConnector': MirrorSourceConnector,
    'org.apache.kafka.connect.mirror.MirrorCheckpointConnector': MirrorCheckpointConnector,
    'org.apache.kafka.connect.mirror.MirrorHeartbeatConnector': MirrorHeartbeatConnector,
  },
});
