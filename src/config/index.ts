// Public API of the config layer: the one parser of every config file (both backends use it).
export * from './resolved.js';
export {
  ConfigError,
  formatLocation,
  formatWarning,
  makeWarning,
  type ConfigLocation,
  type ConfigWarning,
  type ConfigWarningCode,
} from './errors.js';
export {
  parseKeyFile,
  findGroup,
  findEntry,
  getString,
  getList,
  getInt,
  getBool,
  getIntList,
  parseGlibInt,
  stripSurroundingQuotes,
  type KeyFile,
  type KeyFileGroup,
  type KeyFileEntry,
  type KeyFileParseResult,
} from './keyfile.js';
export {
  parseAnalyticsConfig,
  loadAnalyticsConfig,
  ANALYTICS_DEFAULTS,
  MAX_STREAM_INDEX,
  type AnalyticsParseResult,
  type AnalyticsRuleKind,
  type RuleOrigin,
} from './analytics-config.js';
export {
  parseKafkaConfig,
  loadKafkaConfig,
  defaultKafkaConfig,
  parseProtoCfg,
  parseConnStr,
  isPassthroughKey,
  DEFAULT_PARTITION_KEY,
  type KafkaConfig,
  type ConnStr,
} from './kafka-config.js';
export {
  parseMsgconvConfig,
  loadMsgconvConfig,
  emptyMsgconvConfig,
  sensorIdForStream,
  validateFieldName,
  expandTemplate,
  typeStaticValue,
  DEFAULT_ANALYTICS_MODULE,
  DEFAULT_TEMPLATES,
  RESERVED_FIELD_NAMES,
  type MsgconvConfig,
  type MsgconvParseResult,
  type MsgconvSensor,
  type MsgconvPlace,
  type MsgconvAnalytics,
  type AnalyticsModuleInfo,
  type PayloadFieldOptions,
  type TemplateKind,
  type StaticValue,
} from './msgconv-config.js';
export { buildPayloadMapping, type BuildMappingOptions } from './field-mapping.js';
export {
  explainConfig,
  detectConfigKind,
  detectConfigKindOfFile,
  MODE_THRESHOLDS,
  type ConfigKind,
} from './explain.js';
