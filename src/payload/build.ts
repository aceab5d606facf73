// TypeScript twin of native/core/payload/payload_builder.cc, for the kafkajs path: the same bytes for
// the same analytics record (test/unit/payload-parity.test.ts holds them to it).
import { randomUUID } from 'node:crypto';
import type { PayloadField, PayloadMapping } from '../config/resolved.js';

/** One frame's analytics as the native side reports it (NvDsAnalyticsFrameMeta's maps). */
export interface FrameAnalyticsRecord {
  streamId: number;
  frameNum: number;
  ptsMs: number;
  objLCCurrCnt: Record<string, number>;
  objLCCumCnt: Record<string, number>;
  objInROIcnt: Record<string, number>;
  ocStatus: Record<string, boolean>;
  objCnt: Record<string, number>;
  /** Objects per direction label in this frame (dirStatus DIR:<label>). */
  dirCnt?: Record<string, number>;
}

export interface MessageContext {
  messageId: string;
  timestamp: string;
  deviceId: string;
}

/**
 * The record's own value for a label, if any. Own properties only: a label such as "constructor",
 * "toString" or "__proto__" must not read Object.prototype (the native maps hold only what was counted).
 */
function own<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
  return rec !== undefined && Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/**
 * An obj_count key as the objCnt key it names: optional '-', decimal digits only, within int32 (the
 * native class id is an int). Anything else ("1.5", " 1", "0x1", "") matches no class — the same rule as
 * parseClassId in native/core/payload/payload_builder.cc.
 */
function classIdKey(key: string): string | undefined {
  if (!/^-?[0-9]+$/.test(key)) return undefined;
  const n = Number(key);
  if (n < -2147483648 || n > 2147483647) return undefined;
  return String(n === 0 ? 0 : n);
}

export function countedValue(field: PayloadField, frame: FrameAnalyticsRecord): number {
  switch (field.source) {
    case 'lc_curr':
      return own(frame.objLCCurrCnt, field.key) ?? 0;
    case 'lc_cum':
      return own(frame.objLCCumCnt, field.key) ?? 0;
    case 'roi_count':
      return own(frame.objInROIcnt, field.key) ?? 0;
    case 'oc_status':
      return own(frame.ocStatus, field.key) ? 1 : 0;
    case 'obj_count': {
      const k = classIdKey(field.key);
      return k === undefined ? 0 : (own(frame.objCnt, k) ?? 0);
    }
    case 'dir_count':
      return own(frame.dirCnt, field.key) ?? 0;
  }
}

/** The message as a string, byte-for-byte what the native builder writes. */
export function buildPayload(mapping: PayloadMapping, frame: FrameAnalyticsRecord, ctx: MessageContext): string {
  // Build in a fixed order; JSON.stringify on pieces keeps escaping identical to the native writer.
  const parts: string[] = [];
  const put = (k: string, v: string | number | boolean) => parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const m = mapping.analyticsModule;
  put('id', m.id);
  put('description', m.description);
  put('source', m.source);
  put('version', m.version);
  const stream = mapping.streams.find((s) => s.streamId === frame.streamId);
  for (const f of stream?.fields ?? []) {
    const v = countedValue(f, frame);
    put(f.name, f.source === 'oc_status' ? v !== 0 : v);
  }
  // Object key order, which is also the order of the JSON the native side receives.
  for (const [k, v] of Object.entries(mapping.staticFields)) put(k, v);
  return (
    `{"messageid":${JSON.stringify(ctx.messageId)},"@timestamp":${JSON.stringify(ctx.timestamp)},` +
    `"deviceId":${JSON.stringify(ctx.deviceId)},"analyticsModule":{${parts.join(',')}}}`
  );
}

export function newMessageContext(deviceId: string, at: Date = new Date()): MessageContext {
  return { messageId: randomUUID(), timestamp: at.toISOString(), deviceId };
}

/**
 * cfg_kafka.txt partition-key: a dotted path into the message; its string (or integral number) value is
 * the key. Own properties only, like the native extractKey (which parses the message JSON).
 */
export function extractKey(message: unknown, dottedPath: string): string | null {
  if (!dottedPath) return null;
  let cur: unknown = message;
  for (const part of dottedPath.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, part)) return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  // An empty string is no key, as natively (librdkafka is handed a null key for "").
  if (typeof cur === 'string') return cur === '' ? null : cur;
  if (typeof cur === 'number' && Number.isInteger(cur)) return String(cur);
  return null;
}
