// The shapes that cross from TypeScript to the native side, as JSON, once per pipeline.
// TS owns parsing (one parser for both backends); C++ owns counting and payload building.
// native/core/analytics/analytics_config.h and native/core/payload/ read exactly these shapes.

export type XY = [number, number];
export type LineCrossingMode = 'loose' | 'balanced' | 'strict';

/** config_nvdsanalytics.txt after DeepStream's defaults are applied. Coordinates in config space. */
export interface ResolvedAnalyticsConfig {
  enable: boolean;
  configWidth: number;
  configHeight: number;
  osdMode: number;
  displayFontSize: number;
  displayObjCnt: boolean;
  objCntWinMs: number;
  streams: ResolvedStreamAnalytics[];
}

export interface ResolvedStreamAnalytics {
  streamId: number;
  /** roi-filtering groups that are enabled; one entry per roi-<label>. */
  rois: Array<{ label: string; polygon: XY[]; inverse: boolean; classIds: number[] }>;
  overcrowding: Array<{
    label: string;
    polygon: XY[];
    objectThreshold: number;
    timeThresholdMs: number;
    classIds: number[];
  }>;
  /** arrow = [from, to]; line = [a, b]. extended defaults to true and mode to 'loose' when absent. */
  lines: Array<{
    label: string;
    arrow: [XY, XY];
    line: [XY, XY];
    classIds: number[];
    extended: boolean;
    mode: LineCrossingMode;
  }>;
  directions: Array<{ label: string; from: XY; to: XY; classIds: number[] }>;
}

/** What a payload field is read from, per stream (native/core/payload/payload_builder.h). */
export type FieldSource =
  | 'lc_curr' // objLCCurrCnt[label]: crossings in this frame
  | 'lc_cum' // objLCCumCnt[label]: crossings since the stream started
  | 'roi_count' // objInROIcnt[label]: objects inside the ROI (or OC polygon) in this frame
  | 'oc_status' // ocStatus[label]: overcrowded in this frame (boolean)
  | 'obj_count' // objCnt[classId]: objects of that class in the frame (key = class id as a string)
  | 'dir_count'; // objects whose dirStatus is DIR:<label> in this frame

export interface PayloadField {
  /** Name in analyticsModule (after any rename from config). */
  name: string;
  source: FieldSource;
  /** Label, or class id as a decimal string for obj_count. */
  key: string;
}

export interface StreamMapping {
  streamId: number;
  fields: PayloadField[];
  /** Optional: default deviceId of this stream, from the converter config's [sensorN] id (N = streamId). */
  deviceId?: string;
}

/** The whole mapping handed to the native side at pipeline construction. */
export interface PayloadMapping {
  streams: StreamMapping[];
  /** analyticsModule's id/description/source/version, from the converter config's [analytics0]. */
  analyticsModule: { id: string; description: string; source: string; version: string };
  /** User-defined constant fields added to analyticsModule, after the counted fields. */
  staticFields: Record<string, string | number | boolean>;
}
