import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadKafkaConfig, parseConnStr, parseKafkaConfig } from '../../src/config/kafka-config.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/configs/${name}`, import.meta.url));

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e;
  }
  throw new Error('expected a ConfigError');
}

describe('cfg_kafka.txt', () => {
  it('parses the shared sample: partition-key deviceId, everything else default', () => {
    const c = loadKafkaConfig(fixture('cfg_kafka.txt'));
    expect(c).toMatchObject({
      protoCfg: [],
      producerProtoCfg: [],
      consumerProtoCfg: [],
      consumerGroupId: undefined,
      partitionKey: 'deviceId',
      partitionKeyPath: ['deviceId'],
      shareConnection: false,
      passthrough: [],
      warnings: [],
    });
  });

  it('defaults partition-key to deviceId (DeepStream: sensor.id)', () => {
    expect(parseKafkaConfig('[message-broker]\n', 'k.txt').partitionKey).toBe('deviceId');
    expect(parseKafkaConfig('[message-broker]\npartition-key=sensor.id\n', 'k.txt').partitionKeyPath).toEqual(['sensor', 'id']);
  });

  it('parses k=v;k=v lists (quoted, trailing ;, spaces) in order, and SASL/SSL pass-through keys', () => {
    const c = parseKafkaConfig(
      [
        '[message-broker]',
        'proto-cfg = "message.timeout.ms=2000; retries=5;"',
        'producer-proto-cfg = queue.buffering.max.messages=200000;message.send.max.retries=3',
        'consumer-proto-cfg = "max.poll.interval.ms=20000"',
        'consumer-group-id = mygrp',
        'share-connection = 1',
        'security.protocol = SASL_SSL',
        'sasl.mechanisms = PLAIN',
        'sasl.username = "user"',
        'ssl.ca.location = /etc/ssl/ca.pem',
        'client.id = me',
      ].join('\n'),
      'cfg_kafka.txt',
    );
    expect(c.protoCfg).toEqual([
      ['message.timeout.ms', '2000'],
      ['retries', '5'],
    ]);
    expect(c.producerProtoCfg).toEqual([
      ['queue.buffering.max.messages', '200000'],
      ['message.send.max.retries', '3'],
    ]);
    expect(c.consumerProtoCfg).toEqual([['max.poll.interval.ms', '20000']]);
    expect(c.consumerGroupId).toBe('mygrp');
    expect(c.shareConnection).toBe(true);
    expect(c.passthrough).toEqual([
      ['security.protocol', 'SASL_SSL'],
      ['sasl.mechanisms', 'PLAIN'],
      ['sasl.username', 'user'],
      ['ssl.ca.location', '/etc/ssl/ca.pem'],
    ]);
    expect(c.warnings).toEqual([expect.objectContaining({ code: 'unknown-key', line: 11, key: 'client.id' })]);
  });

  it('errors in k=v lists name file, line and key', () => {
    let e = catchError(() => parseKafkaConfig('[message-broker]\n#\nproto-cfg="retries=5;linger.ms"\n', 'cfg_kafka.txt'));
    expect(e).toMatchObject({ file: 'cfg_kafka.txt', line: 3, group: 'message-broker', key: 'proto-cfg' });
    expect(e.message).toBe(
      'cfg_kafka.txt:3: [message-broker] proto-cfg: element 2 "linger.ms" is not key=value (librdkafka properties are written k=v;k=v)',
    );
    e = catchError(() => parseKafkaConfig('[message-broker]\nproducer-proto-cfg=a=1;;b=2\n', 'cfg_kafka.txt'));
    expect(e).toMatchObject({ line: 2, key: 'producer-proto-cfg', detail: 'element 2 of the k=v;k=v list is empty' });
    e = catchError(() => parseKafkaConfig('[message-broker]\nproto-cfg==1\n', 'cfg_kafka.txt'));
    expect(e.detail).toMatch(/empty property name/);
    e = catchError(() => parseKafkaConfig('[message-broker]\nshare-connection=maybe\n', 'cfg_kafka.txt'));
    expect(e).toMatchObject({ line: 2, key: 'share-connection' });
    e = catchError(() => parseKafkaConfig('[message-broker]\npartition-key=sensor..id\n', 'cfg_kafka.txt'));
    expect(e).toMatchObject({ line: 2, key: 'partition-key' });
  });

  it('warns on a property set twice and on unknown groups', () => {
    const c = parseKafkaConfig('[message-broker]\nproto-cfg=retries=1;retries=2\n[other]\n', 'k.txt');
    expect(c.protoCfg).toEqual([
      ['retries', '1'],
      ['retries', '2'],
    ]);
    expect(c.warnings.map((w) => [w.code, w.line])).toEqual([
      ['duplicate-key', 2],
      ['unknown-group', 3],
    ]);
  });
});

describe('parseConnStr', () => {
  it('parses host;port;topic', () => {
    expect(parseConnStr('localhost;9092;ds-kafka')).toEqual({
      host: 'localhost',
      hosts: ['localhost'],
      port: 9092,
      topic: 'ds-kafka',
      bootstrapServers: 'localhost:9092',
    });
    expect(parseConnStr(' 10.0.0.5 ; 19092 ; cams.v1 ').bootstrapServers).toBe('10.0.0.5:19092');
  });

  it('accepts a comma-separated host list, all on the given port', () => {
    const c = parseConnStr('k1,k2.example.com,[::1];9092;t');
    expect(c.hosts).toEqual(['k1', 'k2.example.com', '[::1]']);
    expect(c.bootstrapServers).toBe('k1:9092,k2.example.com:9092,[::1]:9092');
  });

  it('rejects host;port without a topic, explaining the DeepStream gotcha', () => {
    const e = catchError(() => parseConnStr('localhost;9092'));
    expect(e.key).toBe('conn-str');
    expect(e.message).toMatch(/no topic: write "host;port;topic" \(e\.g\. "localhost;9092;ds-kafka"\)/);
    expect(e.message).toMatch(/publish to a topic named "9092"/);
    // The separate topic (nvmsgbroker's `topic` property) makes it valid.
    expect(parseConnStr('localhost;9092', { topic: 'x' }).topic).toBe('x');
    expect(catchError(() => parseConnStr('h;9092;a', { topic: 'b' })).message).toMatch(/two different topics/);
  });

  it('rejects bad ports, empty hosts, extra fields, bad topics', () => {
    const bad: Array<[string, RegExp]> = [
      ['localhost;abc;t', /port "abc" is not a number/],
      ['localhost;0;t', /port 0 is out of range/],
      ['localhost;70000;t', /port 70000 is out of range/],
      ['localhost;;t', /port is missing/],
      [';9092;t', /host is empty/],
      ['localhost', /port is missing/],
      ['localhost;9092;t;x', /expected "host;port;topic", got 4 fields/],
      ['localhost;9092;', /topic \(third field\) is empty/],
      ['localhost;9092;my topic', /not a legal Kafka topic name/],
      ['localhost:9092;9092;t', /carries a port/],
      ['a,,b;9092;t', /empty entry/],
      ['bad host;9092;t', /not a valid host name/],
    ];
    for (const [s, re] of bad) {
      const e = catchError(() => parseConnStr(s));
      expect(e.message, s).toMatch(re);
      expect(e.message.startsWith(`conn-str: "${s}": `)).toBe(true);
    }
  });
});
