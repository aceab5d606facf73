// The DeepStream backend's SDK-free decisions, tested without DeepStream (native/core/deepstream/ and
// native/core/msgconv/ through native/addon/deepstream_binding.cc's always-built exports, and
// src/native/deepstream.ts): the SDK version check of the addon and of the converter library, the default
// nvinfer config per SDK generation, nvmsgbroker's conn-str/config for several hosts and the default message
// key, and the pipeline description (per-source isolation, RTSP reconnection, queues, gpu-id, live inputs).
// What only a GPU can show is scripts/gpu-check.sh's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultKafkaConfig, parseConnStr, parseKafkaConfig } from '../../src/config/kafka-config.js';
import { loadAddon } from '../../src/native/addon.js';
import { deepstreamBrokerSettings, writeDeepStreamBrokerConfig, KAFKA_ADAPTOR_MAX_VALUE } from '../../src/native/deepstream.js';

const addon = loadAddon();
const file = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const read = (rel: string) => readFileSync(file(rel), 'utf8');


/**
 * The generated adaptor config, read back. It may carry bootstrap.servers (nvmsgbroker's only way to get
 * several hosts), which the user-facing parser rightly refuses in a user's cfg_kafka.txt, so the
 * bootstrap entry is split off before the rest goes through parseKafkaConfig.
 */
function readGenerated(text: string): ReturnType<typeof parseKafkaConfig> {
  let bootstrap: string | undefined;
  const rest = text.replace(/^proto-cfg="([^"]*)"$/m, (_l, v: string) => {
    const kept = v.split(';').filter((kv) => {
      const [k, val] = kv.split('=');
      if (k?.trim() === 'bootstrap.servers') bootstrap = val?.trim();
      return k?.trim() !== 'bootstrap.servers';
    });
    return `proto-cfg="${kept.join(';')}"`;
  });
  const cfg = parseKafkaConfig(rest, 'generated');
  return bootstrap === undefined ? cfg : { ...cfg, protoCfg: [['bootstrap.servers', bootstrap], ...cfg.protoCfg] };
}

describe('SDK version check (addon and converter refuse another DeepStream release than the build)', () => {
  it('the converter starts in the release it was built for', () => {
    for (const v of ['6.0', '6.3', '7.1', '9.1']) expect(addon.msgconvStartConverter(null, v, v)).toMatchObject({ ok: true });
    // micro releases keep the layout: 9.1.0 built, 9.1 running
    expect(addon.msgconvStartConverter(null, '9.1', '9.1.2').ok).toBe(true);
  });

  it('a converter built for 9.1 refuses to start in 6.3 (faked runtime version), naming both and the fix', () => {
    const r = addon.msgconvStartConverter(null, '9.1', '6.3');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/built against DeepStream 9\.1 but running in DeepStream 6\.3/);
    expect(r.error).toMatch(/refuses to start/);
    expect(r.error).toMatch(/--ds-version 6\.3/);
  });

  it('minor releases differ too (7.0 -> 7.1 changed NvDsEventMsgMeta)', () => {
    expect(addon.msgconvStartConverter(null, '7.0', '7.1').ok).toBe(false);
    expect(addon.deepstreamSdkCheck('7.1', '7.0')).toMatch(/refuses to start/);
  });

  it('an unknown runtime version (nvds_version() not found) is refused, not guessed', () => {
    const r = addon.msgconvStartConverter(null, '6.3', null);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/cannot tell which DeepStream runs here/);
    expect(addon.deepstreamSdkCheck('6.3', null)).toMatch(/nvds_version\(\)/);
  });

  it('the version check comes before the config file: a mismatch never reads it', () => {
    expect(addon.msgconvStartConverter('/nonexistent/msgconv.txt', '9.1', '6.3').error).toMatch(/DeepStream 6\.3/);
    expect(addon.msgconvStartConverter('/nonexistent/msgconv.txt', '9.1', '9.1').error).toMatch(/nonexistent/);
    expect(addon.msgconvStartConverter(file('config/msgconv_config.txt'), '9.1', '9.1')).toMatchObject({ ok: true });
  });

  it('the addon agrees ("" = run)', () => {
    expect(addon.deepstreamSdkCheck('9.1', '9.1')).toBe('');
    expect(addon.deepstreamSdkCheck('6.3', '9.1')).toMatch(/built against DeepStream 6\.3 but running in DeepStream 9\.1/);
  });
});

describe('default nvinfer config per SDK generation', () => {
  it('6.0-6.3: resnet10 Caffe; >= 7.1: TrafficCamNet ONNX; 6.4 / 7.0: none (--infer-config)', () => {
    for (const v of ['6.0', '6.1', '6.2', '6.3']) expect(addon.deepstreamDefaultInferConfig(v)).toBe('config_infer_primary_ds6.txt');
    for (const v of ['7.1', '8.0', '9.0', '9.1']) expect(addon.deepstreamDefaultInferConfig(v)).toBe('config_infer_primary.txt');
    for (const v of ['6.4', '7.0', '5.1']) expect(addon.deepstreamDefaultInferConfig(v)).toBe('');
  });

  it('the shipped configs point at the sample model of their generation', () => {
    const ds6 = read('config/deepstream/config_infer_primary_ds6.txt');
    expect(ds6).toMatch(/^model-file=\/opt\/nvidia\/deepstream\/deepstream\/samples\/models\/Primary_Detector\/resnet10\.caffemodel$/m);
    expect(ds6).toMatch(/^proto-file=.*resnet10\.prototxt$/m);
    expect(ds6).not.toMatch(/^onnx-file/m);
    const ds7 = read('config/deepstream/config_infer_primary.txt');
    expect(ds7).toMatch(/^onnx-file=.*Primary_Detector\/resnet18_trafficcamnet_pruned\.onnx$/m);
    expect(ds7).not.toMatch(/^model-file/m);
  });

  it('a default whose sample model is not installed is reported before nvinfer starts', () => {
    const ds6 = read('config/deepstream/config_infer_primary_ds6.txt');
    const model = '/opt/nvidia/deepstream/deepstream/samples/models/Primary_Detector/resnet10.caffemodel';
    const proto = '/opt/nvidia/deepstream/deepstream/samples/models/Primary_Detector/resnet10.prototxt';
    expect(addon.deepstreamInferConfigMissingModel(ds6, '/cfg', [])).toBe(model);
    expect(addon.deepstreamInferConfigMissingModel(ds6, '/cfg', [model])).toBe(proto);
    expect(addon.deepstreamInferConfigMissingModel(ds6, '/cfg', [model, proto])).toBe('');
    // relative paths resolve against the config's directory, as nvinfer does
    expect(addon.deepstreamInferConfigMissingModel('[property]\nonnx-file=m/x.onnx\n', '/cfg', [])).toBe('/cfg/m/x.onnx');
  });
});

describe('nvmsgbroker conn-str and adaptor config on the DeepStream backend', () => {
  it('several hosts: conn-str gets the first host, bootstrap.servers (proto-cfg) every host', () => {
    const conn = parseConnStr('k1,k2,k3;9092;ds-kafka');
    const b = deepstreamBrokerSettings(conn, defaultKafkaConfig());
    // The adaptor's rules (nvds_kafka_proto.cpp): at most 2 ';', host field resolved as one name.
    expect(b.connStr).toBe('k1;9092');
    expect(b.connStr.split(';')[0]).not.toContain(',');
    const cfg = readGenerated(b.configText);
    expect(cfg.protoCfg).toContainEqual(['bootstrap.servers', 'k1:9092,k2:9092,k3:9092']);
    expect(cfg.warnings).toEqual([]);
  });

  it('one host works as before; IPv6 literals lose their brackets in conn-str only', () => {
    expect(deepstreamBrokerSettings(parseConnStr('localhost;9092;t'), defaultKafkaConfig()).connStr).toBe('localhost;9092');
    const v6 = deepstreamBrokerSettings(parseConnStr('[::1];9092;t'), defaultKafkaConfig());
    expect(v6.connStr).toBe('::1;9092');
    expect(readGenerated(v6.configText).protoCfg).toContainEqual(['bootstrap.servers', '[::1]:9092']);
  });

  it('without --kafka-config the key is deviceId (the adaptor would key by sensor.id, absent from the payload)', () => {
    const b = deepstreamBrokerSettings(parseConnStr('k;9092;t'), defaultKafkaConfig());
    expect(b.configText).toMatch(/^partition-key=deviceId$/m);
    expect(readGenerated(b.configText).partitionKey).toBe('deviceId');
  });

  it("a kafka config's own key, proto-cfg, producer-proto-cfg and security keys are carried over", () => {
    const user = parseKafkaConfig(
      [
        '[message-broker]',
        'partition-key = analyticsModule.id',
        'proto-cfg = "message.timeout.ms=2000;enable.idempotence=true"',
        'producer-proto-cfg = "linger.ms=5"',
        'security.protocol = SASL_SSL',
        'consumer-group-id = g1',
      ].join('\n'),
      'cfg_kafka.txt',
    );
    const b = deepstreamBrokerSettings(parseConnStr('k1,k2;9093;t'), user);
    const cfg = readGenerated(b.configText);
    expect(cfg.partitionKey).toBe('analyticsModule.id');
    expect(cfg.protoCfg).toEqual([
      ['bootstrap.servers', 'k1:9093,k2:9093'],
      ['message.timeout.ms', '2000'],
      ['enable.idempotence', 'true'],
      ['security.protocol', 'SASL_SSL'],
    ]);
    expect(cfg.producerProtoCfg).toEqual([['linger.ms', '5']]);
    expect(cfg.consumerGroupId).toBe('g1');
  });

  it('refuses a proto-cfg longer than the adaptor reads (1023 characters)', () => {
    const hosts = Array.from({ length: 120 }, (_, i) => `broker-${i}.example.com`).join(',');
    expect(() => deepstreamBrokerSettings(parseConnStr(`${hosts};9092;t`), defaultKafkaConfig())).toThrow(
      new RegExp(`at most ${KAFKA_ADAPTOR_MAX_VALUE}`),
    );
  });

  it('the generated file is private and removed', () => {
    const f = writeDeepStreamBrokerConfig('[message-broker]\npartition-key=deviceId\n');
    expect(readFileSync(f.path, 'utf8')).toContain('partition-key=deviceId');
    f.remove();
    expect(() => readFileSync(f.path)).toThrow();
  });
});

describe('pipeline description', () => {
  const base = { connStr: 'k;9092', topic: 't', inferConfig: 'i.txt', analyticsConfig: 'a.txt', msgconvLib: 'm.so' };
  const plan = (inputs: string[], opts: Record<string, unknown> = {}, nvurisrcbin = true) =>
    addon.deepstreamPlan({ ...base, ...opts, inputs }, { nvurisrcbin });

  it('per-source isolation: every source element belongs to one stream, links only into its own muxer pad', () => {
    const p = plan(['/v/a.h264', 'rtsp://cam/1', 'file:///v/c.mp4', 'http://h/d.mp4']);
    const sources = p.elements.filter((e) => e.stream >= 0);
    expect(new Set(sources.map((e) => e.stream))).toEqual(new Set([0, 1, 2, 3]));
    for (const e of sources) {
      // A bus message from this element (or a child of it) is attributed to its stream...
      expect(addon.deepstreamStreamOfPath(`/GstPipeline:ds-kafka-deepstream/GstX:${e.name}`)).toBe(e.stream);
      expect(addon.deepstreamStreamOfPath(`/GstPipeline:ds-kafka-deepstream/GstX:${e.name}/GstDecodeBin:decodebin0/GstY:h264parse1`)).toBe(e.stream);
    }
    // ... and shared elements to none (their errors end the run).
    for (const e of p.elements.filter((x) => x.stream < 0)) {
      expect(addon.deepstreamStreamOfPath(`/GstPipeline:ds-kafka-deepstream/GstX:${e.name}`)).toBe(-1);
    }
    for (const l of p.links.filter((x) => x.to === 'mux')) {
      const from = p.elements.find((e) => e.name === l.from)!;
      expect(l.toPad).toBe(`sink_${from.stream}`);
    }
    // Links never cross streams.
    for (const l of p.links) {
      const a = p.elements.find((e) => e.name === l.from)!;
      const z = p.elements.find((e) => e.name === l.to)!;
      if (a.stream >= 0 && z.stream >= 0) expect(a.stream).toBe(z.stream);
    }
  });

  it('.h264 files: filesrc ! h264parse ! nvv4l2decoder, statically linked; other files and http: uridecodebin (pad-added)', () => {
    const p = plan(['/v/a.h264', '/v/b.mp4', 'http://h/d.mp4']);
    expect(p.elements.filter((e) => e.stream === 0).map((e) => e.factory)).toEqual(['filesrc', 'h264parse', 'nvv4l2decoder']);
    expect(p.links).toContainEqual({ from: 'dec-0', to: 'mux', toPad: 'sink_0', dynamic: false });
    for (const i of [1, 2]) {
      expect(p.elements.find((e) => e.name === `src-${i}`)!.factory).toBe('uridecodebin');
      expect(p.links).toContainEqual({ from: `src-${i}`, to: 'mux', toPad: `sink_${i}`, dynamic: true });
    }
  });

  it('RTSP: nvurisrcbin with rtsp-reconnect-interval when the SDK has it, uridecodebin otherwise', () => {
    const withBin = plan(['rtsp://cam/1'], { rtspReconnectIntervalS: 7 });
    const src = withBin.elements.find((e) => e.name === 'src-0')!;
    expect(src.factory).toBe('nvurisrcbin');
    expect(src.props['rtsp-reconnect-interval']).toBe('7');
    expect(src.props.uri).toBe('rtsp://cam/1');
    expect(plan(['rtsp://cam/1'], {}, false).elements.find((e) => e.name === 'src-0')!.factory).toBe('uridecodebin');
  });

  it('RTSP reconnection through nvurisrcbin: stall watchdog, wait after an error and attempts (-1 = forever)', () => {
    const src = (opts: Record<string, unknown>) => plan(['/v/a.h264', 'rtsp://cam/1'], opts).elements.find((e) => e.name === 'src-1')!;
    // Defaults: a 10 s watchdog, the same wait after an error (a camera down at the start is retried too), forever.
    expect(src({}).props).toMatchObject({ 'rtsp-reconnect-interval': '10', 'init-rtsp-reconnect-interval': '10', 'rtsp-reconnect-attempts': '-1' });
    expect(src({ rtspReconnectIntervalS: 3, rtspReconnectAttempts: 5 }).props).toMatchObject({
      'rtsp-reconnect-interval': '3',
      'init-rtsp-reconnect-interval': '3',
      'rtsp-reconnect-attempts': '5',
    });
    // No watchdog: errors are still retried (nvurisrcbin's 0 would turn that off too).
    expect(src({ rtspReconnectIntervalS: 0 }).props).toMatchObject({ 'rtsp-reconnect-interval': '0', 'init-rtsp-reconnect-interval': '10' });
    // Only the RTSP source gets them.
    expect(plan(['/v/a.h264', 'rtsp://cam/1']).elements.filter((e) => 'rtsp-reconnect-attempts' in e.props).map((e) => e.name)).toEqual(['src-1']);
  });

  it('live only for network streams: rtsp is live, http and files are not', () => {
    expect(plan(['rtsp://cam/1']).live).toBe(true);
    expect(plan(['/v/a.h264', 'rtsp://cam/1']).live).toBe(true);
    expect(plan(['http://h/d.mp4']).live).toBe(false);
    expect(plan(['https://h/d.mp4', '/v/a.mp4']).live).toBe(false);
    expect(plan(['http://h/d.mp4']).elements.find((e) => e.name === 'mux')!.props['live-source']).toBe('false');
    expect(plan(['rtsp://cam/1']).elements.find((e) => e.name === 'mux')!.props['live-source']).toBe('true');
  });

  it('queues between nvstreammux, nvinfer, nvtracker and nvdsanalytics (as deepstream-nvdsanalytics-test)', () => {
    const p = plan(['/v/a.h264']);
    const next = (name: string) => p.links.find((l) => l.from === name)!.to;
    const chain = ['mux'];
    while (chain.length < 8) chain.push(next(chain[chain.length - 1]!));
    expect(chain).toEqual(['mux', 'queue-infer', 'primary-infer', 'queue-tracker', 'tracker', 'queue-analytics', 'analytics', 'tee']);
  });

  it('gpu-id reaches the muxer, decoders, nvinfer, nvtracker, nvdsanalytics and the display elements', () => {
    const p = plan(['/v/a.h264', '/v/b.h264', 'rtsp://c/1'], { gpuId: 1, display: true });
    for (const name of ['mux', 'dec-0', 'dec-1', 'src-2', 'primary-infer', 'tracker', 'analytics', 'tiler', 'osd-convert', 'osd']) {
      expect(p.elements.find((e) => e.name === name)?.props['gpu-id'], name).toBe('1');
    }
  });

  it('--osd-output: a tee branch draws with nvdsosd, tiles several streams and encodes one MP4 on the CPU', () => {
    const chainFrom = (p: ReturnType<typeof plan>, start: string) => {
      const chain = [start];
      for (let l = p.links.find((x) => x.from === start); l; l = p.links.find((x) => x.from === chain[chain.length - 1])) chain.push(l.to);
      return chain;
    };
    const one = plan(['/v/a.h264'], { osdOutput: '/out/a.mp4' });
    expect(one.links.some((l) => l.from === 'tee' && l.to === 'queue-osdfile')).toBe(true);
    expect(chainFrom(one, 'queue-osdfile')).toEqual([
      'queue-osdfile', 'osdfile-convert', 'osdfile-osd', 'osdfile-download', 'osdfile-caps', 'osdfile-enc', 'osdfile-parse', 'osdfile-mux', 'osdfile-sink',
    ]);
    expect(one.elements.find((e) => e.name === 'osdfile-sink')!.props['location']).toBe('/out/a.mp4');
    expect(one.elements.find((e) => e.name === 'osdfile-caps')!.props['caps']).toBe('video/x-raw,format=I420');
    const two = plan(['/v/a.h264', '/v/b.h264'], { osdOutput: '/out/all.mp4', gpuId: 1 });
    expect(chainFrom(two, 'queue-osdfile').slice(0, 3)).toEqual(['queue-osdfile', 'osdfile-tiler', 'osdfile-convert']);
    expect(two.elements.find((e) => e.name === 'osdfile-osd')!.props['gpu-id']).toBe('1');
    // Without it: no such branch.
    expect(plan(['/v/a.h264']).elements.some((e) => e.name.startsWith('osdfile'))).toBe(false);
  });

  it('batch-size = inputs on nvstreammux and nvinfer; the tracker config is passed when given', () => {
    const p = plan(['/v/a.h264', '/v/b.h264'], { trackerConfig: '/cfg/tracker.yml' });
    expect(p.elements.find((e) => e.name === 'mux')!.props['batch-size']).toBe('2');
    expect(p.elements.find((e) => e.name === 'primary-infer')!.props['batch-size']).toBe('2');
    expect(p.elements.find((e) => e.name === 'tracker')!.props['ll-config-file']).toBe('/cfg/tracker.yml');
  });

  it('nvmsgbroker gets conn-str and topic separately; unusable settings are refused', () => {
    const broker = plan(['/v/a.h264']).elements.find((e) => e.name === 'msgbroker')!;
    expect(broker.props['conn-str']).toBe('k;9092');
    expect(broker.props.topic).toBe('t');
    expect(() => addon.deepstreamPlan({ ...base, topic: '', inputs: ['/v/a.h264'] })).toThrow(/no topic/);
    expect(() => addon.deepstreamPlan({ ...base, inputs: [] })).toThrow(/inputs/);
  });
});

describe('shipped nvtracker config', () => {
  it("has the SDK sample's association weights", () => {
    const y = read('config/deepstream/config_tracker_IOU.yml');
    expect(y).toMatch(/^\s+matchingScoreWeight4SizeSimilarity: 0\.4\b/m);
    expect(y).toMatch(/^\s+matchingScoreWeight4Iou: 0\.6\b/m);
  });
});
