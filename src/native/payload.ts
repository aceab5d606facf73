// The native payload builder (native/core/payload/, bound in native/addon/payload_binding.cc), for tests
// that hold src/payload/build.ts to the same bytes and exercise the send policy without a pipeline.
import { loadAddon } from './addon.js';
import type { FrameAnalyticsRecord, MessageContext } from '../payload/build.js';
import type { PayloadMapping } from '../config/resolved.js';

/** native/core/payload/send_policy.h SendPolicy; omitted fields keep the native defaults. */
export interface SendPolicyInput {
  /** Send frames where some objLCCurrCnt > 0 (default true). */
  onLineCrossing?: boolean;
  /** Also send every N-th frame (frameNum % N == 0); 0 = off (default). */
  frameInterval?: number;
  /** Send when some objInROIcnt differs from the stream's previous frame (default false). */
  onRoiChange?: boolean;
  /** Send when some ocStatus differs from the stream's previous frame (default false). */
  onOvercrowdingChange?: boolean;
}

export type SendReason = 'line-crossing' | 'interval' | 'roi-change' | 'overcrowding-change';

declare module './addon.js' {
  interface NativeAddon {
    /**
     * dsk::buildPayload for one frame. mappingJson is JSON.stringify(PayloadMapping); dirCnt { label: n }
     * becomes n objects with dirStatus "DIR:<label>". Throws TypeError/RangeError for a malformed frame
     * (counts must be safe non-negative integers; objInROIcnt/objCnt fit uint32; objCnt keys are canonical
     * int32 class ids) and Error for a mapping the native parser rejects.
     */
    buildPayloadNative(mappingJson: string, frame: FrameAnalyticsRecord, ctx: MessageContext): string;
    /** Runs one dsk::SendDecider over the frames in order; per frame the reason it is sent, or null. */
    sendDecision(policy: SendPolicyInput | undefined, frames: FrameAnalyticsRecord[]): Array<SendReason | null>;
    /** dsk::uuidV4(): a random lowercase UUID v4. */
    uuidV4(): string;
    /** dsk::rfc3339Millis(): UTC, milliseconds; epochMs is an integer within system_clock's range (years 1678–2261). */
    rfc3339Millis(epochMs: number): string;
    /** dsk::extractKey(): the partition key at a dotted path of the message JSON, "" for none. */
    extractKeyNative(json: string, dottedPath: string): string;
  }
}

/** The message the native path builds for this frame (same bytes as buildPayload in src/payload/build.ts). */
export function buildPayloadNative(mapping: PayloadMapping | string, frame: FrameAnalyticsRecord, ctx: MessageContext): string {
  return loadAddon().buildPayloadNative(typeof mapping === 'string' ? mapping : JSON.stringify(mapping), frame, ctx);
}

export function sendDecision(policy: SendPolicyInput | undefined, frames: FrameAnalyticsRecord[]): Array<SendReason | null> {
  return loadAddon().sendDecision(policy, frames);
}

export function uuidV4Native(): string {
  return loadAddon().uuidV4();
}

export function rfc3339MillisNative(epochMs: number): string {
  return loadAddon().rfc3339Millis(epochMs);
}

/** The native partition key, with "no key" as null (the TS extractKey's convention). */
export function extractKeyNative(json: string, dottedPath: string): string | null {
  const k = loadAddon().extractKeyNative(json, dottedPath);
  return k === '' ? null : k;
}
