// ds-kafka's DeepStream message converter (libnvds_dskafka_msgconv.so, nvmsgconv's `msg2p-lib`) and the
// DeepStream probe's SDK-free core, exposed from the addon so they are exercised on machines without
// DeepStream (native/addon/msgconv_binding.cc over native/core/msgconv/).
import type { FrameAnalyticsRecord, MessageContext } from '../payload/build.js';
import { loadAddon } from './addon.js';

export interface MsgconvAnalyticsModule {
  id: string;
  description: string;
  source: string;
  version: string;
}

/** What the converter library reads from its `config` ([analytics0], [sensorN] id). */
export interface MsgconvCoreConfig {
  analyticsModule: MsgconvAnalyticsModule;
  analyticsModuleFromFile: boolean;
  /** stream / sensor index (as a string) -> [sensorN] id */
  sensorIds: Record<string, string>;
}

/** The NvDsEventMsgMeta fields the converter reads, plus how extMsg is filled. */
export interface MsgconvEvent {
  ts?: string;
  sensorStr?: string;
  sensorId?: number;
  messageId?: string;
  /** A payload carried in extMsg as a DskExtMsg. */
  extPayload?: string;
  /** 'ours' (default): a valid DskExtMsg; 'foreign': wrong magic; 'short': extMsgSize too small. */
  extKind?: 'ours' | 'foreign' | 'short';
}

export interface SendPolicyOptions {
  onLineCrossing?: boolean;
  frameInterval?: number;
  onRoiChange?: boolean;
  onOvercrowdingChange?: boolean;
}

/** One frame as nvdsanalytics attaches it (NvDsAnalyticsFrameMeta + per-object NvDsAnalyticsObjInfo). */
export interface DsAnalyticsFrame {
  streamId: number;
  frameNum: number;
  /** NvDsFrameMeta.ntp_timestamp (ns since the epoch); 0/absent = now. */
  ntpTimestampNs?: number;
  frameMeta: {
    ocStatus?: Record<string, boolean>;
    objInROIcnt?: Record<string, number>;
    objLCCurrCnt?: Record<string, number>;
    objLCCumCnt?: Record<string, number>;
    objCnt?: Record<string, number>;
  };
  objects?: Array<{
    id: number;
    classId: number;
    roiStatus?: string[];
    ocStatus?: string[];
    lcStatus?: string[];
    dirStatus?: string;
  }>;
}

export interface ProbeMessage {
  streamId: number;
  frameNum: number;
  reason: string;
  ctx: MessageContext;
  /** What nvmsgbroker receives from the converter. */
  payload: string;
}

declare module './addon.js' {
  interface NativeAddon {
    msgconvParseConfig(text: string, fileName?: string): MsgconvCoreConfig;
    msgconvPayloadForEvent(event: MsgconvEvent, configText?: string): string;
    msgconvPayloadFromExtMsg(payload: string): string;
    msgconvExtMsgLive(): number;
    msgconvBuildPayload(mappingJson: string, record: FrameAnalyticsRecord, ctx: MessageContext): string;
    msgconvProbeMessages(
      options: { mappingJson: string; policy?: SendPolicyOptions; deviceIds?: string[]; configText?: string; cumulativeBase?: Array<Record<string, number>> },
      frames: DsAnalyticsFrame[],
    ): ProbeMessage[];
  }
}

/** The payloads the DeepStream path (probe + our converter) would publish for these frames. */
export function deepstreamPathMessages(
  mappingJson: string,
  frames: DsAnalyticsFrame[],
  opts: { policy?: SendPolicyOptions; deviceIds?: string[]; configText?: string; cumulativeBase?: Array<Record<string, number>> } = {},
): ProbeMessage[] {
  return loadAddon().msgconvProbeMessages({ mappingJson, ...opts }, frames);
}
