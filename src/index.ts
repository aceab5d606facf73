// ds-kafka as a library: run the analytics pipeline from a Node service and consume its events.
export { createPipeline, runPipeline, Pipeline } from './pipeline/pipeline.js';
export type { PipelineOptions, SendOn, Backend, ProducerKind, HttpOptions } from './pipeline/options.js';
export type { FrameRecord, MessageEvent, PipelineWarning, RunReport, StreamReport, PipelineEvents, StreamState, StreamStateEvent } from './pipeline/events.js';
export type { ReconnectOptions } from './native/pipeline.js';
export { ConfigError, InputError, BrokerUnavailableError, DeliveryError } from './errors.js';
export * as config from './config/index.js';
export { buildPayload, extractKey, type FrameAnalyticsRecord, type MessageContext } from './payload/build.js';
export { NativeKafkaProducer } from './kafka/native-producer.js';
export { KafkajsProducer } from './kafka/kafkajs-producer.js';
export type { MessageProducer, DeliveryEvent, DeliveryStats, ProducerOptions } from './kafka/types.js';
export { readMessages, type ConsumedMessage } from './kafka/consumer.js';
export { LocalBroker, type BrokerOptions } from './broker/local-broker.js';
export { ensureTopic } from './kafka/admin.js';
export { checkTopic, type TopicCheck } from './kafka/topic-check.js';
export { loadMessageValidator, messageSchemaPath } from './schema/validate.js';
export { loadAddon, type NativeCapabilities } from './native/addon.js';
export { resolveDetector, dnnModelStatus, type DetectorChoice, type DetectorKind, type ResolvedDetector } from './native/detector.js';
export { renderPreview, renderPreviewImage, type PreviewOptions, type PreviewImage } from './preview/preview.js';
