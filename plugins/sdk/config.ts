// Config definitions for plugins: Kafka's ConfigDef (typed keys with defaults,
// validators, docs and groups). They drive parsing in the connector,
// `PUT /connector-plugins/{p}/config/validate` (Kafka's response shape) and the form
// the admin UI generates. The platform's one config-definition helper lives in
// common/config-def.ts (the broker and the registry define their configs with it
// too); the SDK's build ships it, so a plugin still depends on this package alone.
export {
  ConfigDef, ConfigException, Validators, parseType, checkValue, CONNECT_WORDING,
  type ConfigType, type Importance, type Width, type Validator, type ConfigKey, type ConfigValue,
  type ConfigTypeValue, type ConfigValues, type ConfigWording,
} from '../../common/config-def.ts';
