// cfg_kafka.txt's librdkafka properties: checked by librdkafka itself (file:line), bootstrap.servers left
// to the conn-str, and mapped to kafkajs (--producer kafkajs) or refused — never silently dropped.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseKafkaConfig } from '../../src/config/kafka-config.js';
import { checkKafkaProperties } from '../../src/kafka/conf-check.js';
import { kafkajsSettings } from '../../src/kafka/kafkajs-config.js';
import { KafkajsProducer } from '../../src/kafka/kafkajs-producer.js';
import { propertyList } from '../../src/kafka/properties.js';

const tmp = mkdtempSync(join(tmpdir(), 'dsk-kprops-'));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** A cfg_kafka.txt whose line 2 is proto-cfg and the rest are [message-broker] keys, one per line. */
const cfg = (protoCfg: string, ...keys: string[]) =>
  parseKafkaConfig(`[message-broker]\nproto-cfg="${protoCfg}"\n${keys.join('\n')}\n`, 'cfg_kafka.txt');
const kafkajs = (protoCfg: string, ...keys: string[]) => kafkajsSettings(propertyList(cfg(protoCfg, ...keys), 'producer'));

describe('librdkafka properties, checked by librdkafka', () => {
  it('an unknown property or a bad value is a ConfigError naming file:line and the key', () => {
    const unknown = configError(() => checkKafkaProperties(cfg('linger.ms=5;no.such.property=1')));
    expect(unknown.message).toMatch(/^cfg_kafka\.txt:2: \[message-broker\] proto-cfg: librdkafka property no\.such\.property=1: No such configuration property/);
    const bad = configError(() => checkKafkaProperties(cfg('', 'producer-proto-cfg="acks=all;linger.ms=abc"')));
    expect(bad.line).toBe(3);
    expect(bad.message).toMatch(/linger\.ms=abc: Invalid value/);
    // A [message-broker] key names its own line; a secret is never printed.
    const pw = configError(() => checkKafkaProperties(cfg('', 'security.protocol=SASL_SSL', 'ssl.key.password.typo=hunter2')));
    expect(pw.line).toBe(4);
    expect(pw.message).not.toContain('hunter2');
  });

  it('accepts what librdkafka accepts', () => {
    expect(() => checkKafkaProperties(cfg('linger.ms=5;message.timeout.ms=2000', 'security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN'))).not.toThrow();
  });

  it('bootstrap.servers (or metadata.broker.list) in a list is refused: the conn-str gives the brokers', () => {
    for (const [text, line] of [
      ['[message-broker]\nproto-cfg="bootstrap.servers=other:9092"\n', 2],
      ['[message-broker]\n\nproducer-proto-cfg="linger.ms=1;metadata.broker.list=other:9092"\n', 3],
    ] as const) {
      const e = configError(() => parseKafkaConfig(text, 'k.txt'));
      expect(e.line).toBe(line);
      expect(e.message).toMatch(/conn-str/);
    }
    // A config built by hand (library) gets the same answer.
    const byHand = { ...parseKafkaConfig('[message-broker]\n', 'k.txt'), properties: undefined, protoCfg: [['bootstrap.servers', 'x:1']] as Array<[string, string]> };
    expect(configError(() => checkKafkaProperties(byHand)).message).toMatch(/^k\.txt: proto-cfg: bootstrap\.servers cannot be set here/);
  });
});

describe('--producer kafkajs: the properties kafkajs can honour', () => {
  it('maps SSL files, verification, client id and timeouts', () => {
    const ca = join(tmp, 'ca.pem');
    const cert = join(tmp, 'cert.pem');
    const key = join(tmp, 'key.pem');
    writeFileSync(ca, 'CA PEM');
    writeFileSync(cert, 'CERT PEM');
    writeFileSync(key, 'KEY PEM');
    const s = kafkajs(
      'client.id=cam-7;request.timeout.ms=7000;socket.connection.setup.timeout.ms=900;message.timeout.ms=1000;message.timeout.ms=4000',
      'security.protocol=ssl',
      `ssl.ca.location=${ca}`,
      `ssl.certificate.location=${cert}`,
      `ssl.key.location=${key}`,
      'ssl.key.password=pw',
      'enable.ssl.certificate.verification=false',
    );
    expect(s).toMatchObject({
      clientId: 'cam-7',
      requestTimeout: 7000,
      connectionTimeout: 900,
      deliveryTimeoutMs: 4000, // the last one wins, as in librdkafka
      ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', passphrase: 'pw', rejectUnauthorized: false },
    });
    expect(s.sasl).toBeUndefined();
    expect(kafkajs('', 'security.protocol=SSL', 'ssl.endpoint.identification.algorithm=none').ssl?.checkServerIdentity?.('h', {} as never)).toBeUndefined();
  });

  it('maps SASL PLAIN and SCRAM, over TLS or not', () => {
    expect(kafkajs('', 'security.protocol=SASL_SSL', 'sasl.mechanisms=SCRAM-SHA-512', 'sasl.username=u', 'sasl.password=p')).toMatchObject({
      ssl: {},
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
    const plain = kafkajs('sasl.mechanism=PLAIN', 'security.protocol=SASL_PLAINTEXT', 'sasl.username=u', 'sasl.password=p');
    expect(plain.sasl).toMatchObject({ mechanism: 'plain' });
    expect(plain.ssl).toBeUndefined();
    expect(kafkajs('').ssl).toBeUndefined();
  });

  it('refuses, naming the key and file:line, every property it cannot honour', () => {
    const cases: Array<[string, string[], RegExp, number]> = [
      ['linger.ms=5', [], /linger\.ms: --producer kafkajs cannot honour/, 2],
      ['', ['security.protocol=SASL_SSL', 'sasl.mechanisms=GSSAPI', 'sasl.username=u', 'sasl.password=p'], /sasl\.mechanisms=GSSAPI/, 4],
      // librdkafka's default mechanism is GSSAPI: SASL without a mechanism is not silently PLAIN.
      ['', ['security.protocol=SASL_SSL', 'sasl.username=u', 'sasl.password=p'], /security\.protocol=SASL_SSL: needs sasl\.mechanisms/, 3],
      ['', ['security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=u'], /needs sasl\.username and sasl\.password/, 4],
      // Credentials without a SASL protocol would be sent nowhere: plaintext without authentication.
      ['', ['sasl.mechanisms=PLAIN', 'sasl.username=u', 'sasl.password=p'], /does not use SASL/, 3],
      ['', ['ssl.ca.location=/etc/hosts'], /does not use TLS/, 3],
      ['', ['security.protocol=SSL', 'ssl.ca.location=/nonexistent/ca.pem'], /ssl\.ca\.location=\/nonexistent\/ca\.pem: cannot read it/, 4],
      ['', ['security.protocol=SSL', `ssl.ca.location=${tmp}`], /not a directory/, 4],
      ['', ['security.protocol=SSL', 'ssl.ca.location=probe'], /cannot probe/, 4],
      ['', ['security.protocol=kerberos'], /expected PLAINTEXT, SSL/, 3],
      ['acks=1', [], /acks=1: .*acks=all/, 2],
      ['enable.idempotence=false', [], /always idempotent/, 2],
      ['compression.type=lz4', [], /gzip/, 2],
      ['', ['security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=u', 'sasl.password=p', 'ssl.keystore.location=/k.p12'], /ssl\.keystore\.location: --producer kafkajs cannot honour/, 7],
    ];
    for (const [proto, keys, pattern, line] of cases) {
      const e = configError(() => kafkajs(proto, ...keys));
      expect(e.message, `${proto} ${keys.join(' ')}`).toMatch(pattern);
      expect(e.file).toBe('cfg_kafka.txt');
      expect(e.line, e.message).toBe(line);
    }
    // A secret is never printed.
    expect(configError(() => kafkajs('', 'security.protocol=SSL', 'ssl.key.password=hunter2', 'sasl.password=x')).message).not.toContain('hunter2');
  });

  it('the kafkajs producer itself refuses what it cannot honour (library use without a file)', () => {
    const e = configError(
      () => new KafkajsProducer({ bootstrapServers: 'localhost:1', topic: 't', properties: [['security.protocol', 'SASL_SSL'], ['sasl.mechanisms', 'OAUTHBEARER']] }),
    );
    expect(e.message).toMatch(/sasl\.mechanisms=OAUTHBEARER/);
  });
});
