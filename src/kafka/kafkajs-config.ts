// cfg_kafka.txt's librdkafka properties for the kafkajs producer (--producer kafkajs). kafkajs is not
// librdkafka: what it can honour is mapped below; every other property is refused (ConfigError naming
// the key and file:line) — silently dropping one would, e.g., send in plaintext without the SASL/SSL the
// file asks for.
//
//   security.protocol                 PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
//   ssl.ca.location, ssl.ca.pem       ca (a PEM file / PEM text; a directory or "probe" is refused)
//   ssl.certificate.location|.pem     cert
//   ssl.key.location|.pem             key
//   ssl.key.password                  passphrase
//   enable.ssl.certificate.verification   rejectUnauthorized
//   ssl.endpoint.identification.algorithm https (default) | none (no host name check)
//   sasl.mechanism(s)                 PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512, with sasl.username/password
//   client.id                         clientId
//   request.timeout.ms                requestTimeout
//   socket.connection.setup.timeout.ms connectionTimeout
//   message.timeout.ms, delivery.timeout.ms   the delivery deadline (0 = none), as librdkafka
//   acks (all/-1), enable.idempotence (true)  what the kafkajs path always does; other values refused
//   compression.type|codec            none | gzip (the codecs kafkajs has without plug-ins)
// As in librdkafka, a property given twice keeps its last value.
import { readFileSync, statSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { ConfigError, type ConfigLocation } from '../config/errors.js';
import type { KafkaConfig, KafkaProperty } from '../config/kafka-config.js';
import { propertyList, shownValue } from './properties.js';

export interface KafkajsSettings {
  clientId?: string;
  /** TLS options (kafkajs `ssl`); absent = no TLS. */
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
  requestTimeout?: number;
  connectionTimeout?: number;
  /** From message.timeout.ms / delivery.timeout.ms: overrides the delivery deadline, as in librdkafka. */
  deliveryTimeoutMs?: number;
  compression?: 'gzip';
}

type Prop = Pick<KafkaProperty, 'key' | 'value'> & { location?: ConfigLocation };

const SUPPORTED = [
  'security.protocol',
  'ssl.ca.location',
  'ssl.ca.pem',
  'ssl.certificate.location',
  'ssl.certificate.pem',
  'ssl.key.location',
  'ssl.key.pem',
  'ssl.key.password',
  'enable.ssl.certificate.verification',
  'ssl.endpoint.identification.algorithm',
  'sasl.mechanism',
  'sasl.mechanisms',
  'sasl.username',
  'sasl.password',
  'client.id',
  'request.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'message.timeout.ms',
  'delivery.timeout.ms',
  'acks',
  'request.required.acks',
  'enable.idempotence',
  'compression.type',
  'compression.codec',
];

const MECHANISMS: Record<string, SASLOptions['mechanism']> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

function err(p: Prop, detail: string): ConfigError {
  return new ConfigError(`${p.key}=${shownValue(p.key, p.value)}: ${detail}`, p.location ?? { key: p.key });
}

function bool(p: Prop): boolean {
  const v = p.value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw err(p, 'expected true or false');
}

function ms(p: Prop, min: number): number {
  if (!/^\d+$/.test(p.value) || Number(p.value) < min || Number(p.value) > 2_147_483_647) throw err(p, `expected milliseconds >= ${min}`);
  return Number(p.value);
}

function pemFile(p: Prop): string {
  if (p.value === 'probe') throw err(p, 'kafkajs cannot probe for CA certificates: give the PEM file (or leave it out to use the system CAs)');
  try {
    if (statSync(p.value).isDirectory()) throw err(p, 'kafkajs needs one PEM file, not a directory');
    return readFileSync(p.value, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw err(p, `cannot read it: ${(e as Error).message}`);
  }
}

/** Maps the producer's properties (in order; later ones win) to kafkajs settings, or throws ConfigError. */
export function kafkajsSettings(props: Array<Prop | [string, string]>): KafkajsSettings {
  const last = new Map<string, Prop>();
  for (const raw of props) {
    const p: Prop = Array.isArray(raw) ? { key: raw[0], value: raw[1] } : raw;
    if (!SUPPORTED.includes(p.key)) {
      throw new ConfigError(
        `${p.key}: --producer kafkajs cannot honour this librdkafka property (it maps only: ${SUPPORTED.join(', ')}); ` +
          'remove it or use the native producer',
        p.location ?? { key: p.key },
      );
    }
    // Aliases share one slot, so the last one written wins.
    const slot = p.key === 'sasl.mechanism' ? 'sasl.mechanisms' : p.key === 'delivery.timeout.ms' ? 'message.timeout.ms' : p.key === 'request.required.acks' ? 'acks' : p.key === 'compression.codec' ? 'compression.type' : p.key;
    last.delete(slot);
    last.set(slot, p);
  }
  const get = (k: string) => last.get(k);
  const s: KafkajsSettings = {};

  const proto = get('security.protocol');
  const protocol = (proto?.value ?? 'PLAINTEXT').toUpperCase();
  if (proto && !['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw err(proto, 'expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL');
  }
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const sasl = protocol.startsWith('SASL_');
  const where = proto ? `security.protocol=${protocol}` : 'no security.protocol (librdkafka default PLAINTEXT)';

  const sslProps = [...last.values()].filter((p) => p.key.startsWith('ssl.') || p.key === 'enable.ssl.certificate.verification');
  const saslProps = [...last.values()].filter((p) => p.key.startsWith('sasl.'));
  if (!tls && sslProps.length > 0) throw err(sslProps[0]!, `set, but ${where} does not use TLS: set security.protocol=SSL or SASL_SSL`);
  if (!sasl && saslProps.length > 0) throw err(saslProps[0]!, `set, but ${where} does not use SASL: set security.protocol=SASL_SSL or SASL_PLAINTEXT`);

  if (tls) {
    const ssl: ConnectionOptions = {};
    const ca = get('ssl.ca.location') ?? get('ssl.ca.pem');
    if (ca) ssl.ca = ca.key === 'ssl.ca.pem' ? ca.value : pemFile(ca);
    const cert = get('ssl.certificate.location') ?? get('ssl.certificate.pem');
    if (cert) ssl.cert = cert.key === 'ssl.certificate.pem' ? cert.value : pemFile(cert);
    const key = get('ssl.key.location') ?? get('ssl.key.pem');
    if (key) ssl.key = key.key === 'ssl.key.pem' ? key.value : pemFile(key);
    const pass = get('ssl.key.password');
    if (pass) ssl.passphrase = pass.value;
    const verify = get('enable.ssl.certificate.verification');
    if (verify) ssl.rejectUnauthorized = bool(verify);
    const ident = get('ssl.endpoint.identification.algorithm');
    if (ident) {
      const v = ident.value.toLowerCase();
      if (v === 'none') ssl.checkServerIdentity = () => undefined;
      else if (v !== 'https') throw err(ident, 'expected https or none');
    }
    s.ssl = ssl;
  }

  if (sasl) {
    const mech = get('sasl.mechanisms');
    // librdkafka's default mechanism is GSSAPI (Kerberos), which kafkajs does not have.
    if (!mech) throw err(proto!, 'needs sasl.mechanisms (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; librdkafka\'s default GSSAPI is not in kafkajs)');
    const mechanism = MECHANISMS[mech.value.toUpperCase()];
    if (!mechanism) throw err(mech, 'kafkajs supports PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 here');
    const user = get('sasl.username');
    const password = get('sasl.password');
    if (!user || !password) throw err(mech, 'needs sasl.username and sasl.password');
    s.sasl = { mechanism, username: user.value, password: password.value } as SASLOptions;
  }

  const clientId = get('client.id');
  if (clientId) s.clientId = clientId.value;
  const req = get('request.timeout.ms');
  if (req) s.requestTimeout = ms(req, 1);
  const conn = get('socket.connection.setup.timeout.ms');
  if (conn) s.connectionTimeout = ms(conn, 1);
  const deadline = get('message.timeout.ms');
  if (deadline) s.deliveryTimeoutMs = ms(deadline, 0) === 0 ? Number.MAX_SAFE_INTEGER : ms(deadline, 0);
  const acks = get('acks');
  if (acks && !['all', '-1'].includes(acks.value.toLowerCase())) throw err(acks, 'the kafkajs path always waits for every in-sync replica (acks=all)');
  const idem = get('enable.idempotence');
  if (idem && !bool(idem)) throw err(idem, 'the kafkajs path is always idempotent');
  const comp = get('compression.type');
  if (comp) {
    const v = comp.value.toLowerCase();
    if (v === 'gzip') s.compression = 'gzip';
    else if (v !== 'none') throw err(comp, 'kafkajs compresses only with gzip here (none or gzip)');
  }
  return s;
}

/**
 * TLS/SASL of a Kafka config for kafkajs clients that only read (the topic check, reading counts back):
 * its security properties mapped, or undefined when kafkajs cannot do what they ask.
 */
export function kafkajsConnection(config: KafkaConfig | undefined): Pick<KafkajsSettings, 'ssl' | 'sasl'> | undefined {
  const security = propertyList(config, 'producer').filter((p) => /^(security\.protocol|sasl\.|ssl\.|enable\.ssl\.)/.test(p.key));
  try {
    const s = kafkajsSettings(security);
    return { ...(s.ssl ? { ssl: s.ssl } : {}), ...(s.sasl ? { sasl: s.sasl } : {}) };
  } catch {
    return undefined;
  }
}
