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

export function countedValue(field: PayloadField, frame: FrameAnalyticsRecord): number {
  switch (field.source) {
    case 'lc_curr':
      return frame.objLCCurrCnt[field.key] ?? 0;
    case 'lc_cum':
      return frame.objLCCumCnt[field.key] ?? 0;
    case 'roi_count':
      return frame.objInROIcnt[field.key] ?? 0;
    case 'oc_status':
      return frame.ocStatus[field.key] ? 1 : 0;
    case 'obj_count':
      return frame.objCnt[String(parseInt(field.key, 10))] ?? 0;
    case 'dir_count':
      return frame.dirCnt?.[field.key] ?? 0;
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

/** cfg_kafka.txt partition-key: a dotted path into the message; its string (or integer) value is the key. */
export function extractKey(message: unknown, dottedPath: string): string | null {
  if (!dottedPath) return null;
  let cur: unknown = message;
  for (const part of dottedPath.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(part in (cur as object))) return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' && Number.isInteger(cur)) return String(cur);
  return null;
}
