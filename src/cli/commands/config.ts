// `ds-kafka config check <file...>`: parse config files as the pipeline would, explain what they mean
// (rules in words, payload fields), and fail with file:line:key on the first error.
import type { Argv } from 'yargs';
import { loadAnalyticsConfig } from '../../config/analytics-config.js';
import { formatWarning, type ConfigWarning } from '../../config/errors.js';
import { detectConfigKindOfFile } from '../../config/explain.js';
import { explainConfig } from '../../config/explain.js';
import { buildPayloadMapping } from '../../config/field-mapping.js';
import { loadKafkaConfig } from '../../config/kafka-config.js';
import { loadMsgconvConfig, type MsgconvConfig } from '../../config/msgconv-config.js';
import { InputError } from '../../errors.js';
import { existsSync } from 'node:fs';
import { createOutput } from '../output.js';
import { ConfigError } from '../../config/errors.js';
import { loadAddon } from '../../native/addon.js';
import { dnnDetectorConfig } from '../../native/detector.js';
import { checkKafkaProperties } from '../../kafka/conf-check.js';

/** The CPU backend's detector/tracker key files, parsed by the same native code the pipeline uses. */
function explainCpuConfig(file: string, kind: 'dnn-detector' | 'motion-detector' | 'tracker'): string {
  let resolved: Record<string, unknown>;
  try {
    resolved =
      kind === 'dnn-detector'
        ? dnnDetectorConfig(file)
        : kind === 'tracker'
          ? loadAddon().trackerConfig(file)
          : loadAddon().cpuDetectorConfig(file);
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
  const what = { 'dnn-detector': 'DNN detector config', 'motion-detector': 'motion detector config', tracker: 'tracker config' }[kind];
  const summary = Object.entries(resolved)
    .filter(([, v]) => v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  return `${file}: ${what}; ${summary}`;
}

export function configCommand(y: Argv) {
  return y
    .command(
      'check <files..>',
      'parse config files (config_nvdsanalytics.txt, cfg_kafka.txt, msgconv config) and explain them',
      (b) =>
        b
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'config files; the kind is detected from their groups' })
          .option('msgconv-config', { type: 'string', describe: 'converter config whose renames/static fields apply to the explained payload' }),
      (a) => {
        const out = createOutput('text', Boolean(a.quiet));
        const files = (a.files as string[]) ?? [];
        for (const f of files) if (!existsSync(f)) throw new InputError(`config file not found: ${f}`);
        let msgconv: MsgconvConfig | undefined;
        const extra: ConfigWarning[] = [];
        const msgconvPath = (a.msgconvConfig as string | undefined) ?? files.find((f) => detectConfigKindOfFile(f) === 'msgconv');
        if (msgconvPath) {
          const r = loadMsgconvConfig(msgconvPath);
          msgconv = r.config;
          extra.push(...r.warnings);
        }
        for (const file of files) {
          const kind = detectConfigKindOfFile(file);
          if (kind === 'unknown') {
            throw new ConfigError(
              'not a config ds-kafka reads, from its groups and keys: config_nvdsanalytics.txt ([property] enable, config-width, … and ' +
                '[line-crossing-stream-N], …), msgconv ([sensorN], [analyticsN], [payload-fields], [payload-static]), cfg_kafka.txt ' +
                '([message-broker]), or the CPU backend\'s detector (motion, DNN) and tracker [property] files; check the group and key ' +
                'names (nvinfer and nvtracker configs are read by DeepStream itself)',
              { file },
            );
          }
          if (kind === 'analytics') {
            const parsed = loadAnalyticsConfig(file);
            const mapping = buildPayloadMapping(
              parsed.config,
              msgconv,
              parsed.config.streams.map((s) => s.streamId),
              { warnings: extra, origins: parsed.origins },
            );
            out.result(explainConfig(parsed, mapping, file === msgconvPath ? [] : extra));
          } else if (kind === 'kafka') {
            const k = loadKafkaConfig(file);
            checkKafkaProperties(k);
            const props = [...k.protoCfg, ...k.producerProtoCfg, ...k.passthrough];
            out.result(
              `${file}: Kafka adaptor config; message key = value of "${k.partitionKey}" in the message` +
                (props.length ? `; librdkafka properties: ${props.map(([p, v]) => `${p}=${/pass|secret|key\b/i.test(p) ? '***' : v}`).join(', ')}` : '') +
                (k.warnings.length ? `\n${k.warnings.map(formatWarning).join('\n')}` : ''),
            );
          } else if (kind === 'dnn-detector' || kind === 'motion-detector' || kind === 'tracker') {
            out.result(explainCpuConfig(file, kind));
          } else if (kind === 'msgconv' && files.filter((f) => detectConfigKindOfFile(f) === 'analytics').length === 0) {
            const m = msgconv!;
            out.result(
              `${file}: converter config; analyticsModule ${JSON.stringify(m.analyticsModule)}` +
                (extra.length ? `\n${extra.map(formatWarning).join('\n')}` : ''),
            );
          }
        }
      },
    )
    .demandCommand(1, 'choose: check');
}
